import { describe, expect, it } from 'vitest';
import { ClusterAtLimits, runClusterAtLimits, type RequestOutcome } from './cluster-at-limits.ts';
import { renderIptables } from '../k8s/kube-proxy/render-iptables.ts';
import { formatIpv4, Cidr } from '../wire/addr.ts';
import { namespaceOf, nodeInternalIPs } from '../k8s/model/index.ts';
import { nodeNetfilter } from '../k8s/kube-proxy/node-ruleset.ts';
import type { Netfilter } from '../dataplane/netfilter/netfilter.ts';
import type { Host } from '../dataplane/host.ts';
import { Hook, newTraverseResult, type NfEnv } from '../dataplane/netfilter/types.ts';
import { ipv4 } from '../wire/addr.ts';

/** A new TCP connection from outside to dst:dport at PREROUTING, with a fixed random draw: what it meets. */
function evaluate(nf: Netfilter, host: Host, dst: number, dport: number): unknown {
  const env: NfEnv = { now: 0, isLocal: (a) => host.isLocal(a), random: () => 0.37 };
  const pkt = { src: ipv4('203.0.113.7'), dst, proto: 6, sport: 40000, dport, icmpType: -1, inIface: 'eth0', outIface: '', mark: 0, ctState: 2, ctStatus: 0, length: 60 };
  const out = newTraverseResult();
  nf.evaluateHook(Hook.PREROUTING, pkt, env, out, true, true);
  return { verdict: out.verdict, nat: out.nat, addr: out.natAddrMin, port: out.natPortMin, rules: out.rulesEvaluated, path: out.path.map((p) => p.text), mark: pkt.mark };
}

/** The small cluster of the tests: 20 nodes, 600 pods, 200 Services, 1,000 requests. */
const SMALL = { nodes: 20, podsPerNode: 30, services: 200, requests: 1_000 } as const;

function build(extra: Record<string, number> = {}): ClusterAtLimits {
  const w = new ClusterAtLimits({ ...SMALL, ...extra });
  w.generate();
  w.reconcile();
  w.renderRules();
  w.loadRules();
  w.buildWorld();
  return w;
}

/** Every node's kube-proxy text, rendered on its own (what sharing must reproduce). */
function renderEveryNode(w: ClusterAtLimits): string[] {
  const s = w.state!;
  return s.nodes.map((n) => {
    const podCIDR = n.spec!.podCIDR!;
    const node = { name: n.metadata.name, ips: [nodeInternalIPs(n)[0]!, formatIpv4(Cidr.of(podCIDR).at(1))], podCIDR };
    return renderIptables({ services: s.services, endpointSlices: s.endpointSlices, node, config: w.generated!.kubeProxy });
  });
}

describe('cluster-at-limits (small)', () => {
  it('answers every request with 200 from a pod of the Service asked for, through DNS, kube-proxy and TCP', () => {
    const w = build();
    const s = w.state!;
    // Which pods back which Service: the EndpointSlice controller's view.
    const backends = new Map<string, Set<string>>();
    const podName = new Map(s.pods.map((p) => [p.status?.podIP, p.metadata.name] as const));
    for (const sl of s.endpointSlices) {
      const svc = `${namespaceOf(sl.metadata)}/${sl.metadata.labels?.['kubernetes.io/service-name']}`;
      const set = backends.get(svc) ?? new Set<string>();
      for (const ep of sl.endpoints) set.add(podName.get(ep.addresses[0])!);
      backends.set(svc, set);
    }
    const outcomes: RequestOutcome[] = [];
    const r = w.run((o) => outcomes.push(o));
    expect(r.requests).toBe(SMALL.requests);
    expect(r.failures).toEqual({});
    expect(r.ok).toBe(SMALL.requests);
    for (const o of outcomes) {
      expect(o.result.status).toBe(200);
      expect(backends.get(o.service)!.has(o.result.body)).toBe(true);
      // The name went through the pod's search list: "svc.ns" then "svc.ns.svc.cluster.local", A and AAAA each.
      expect(o.result.resolution!.queries.length).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(outcomes.map((o) => o.service)).size).toBeGreaterThan(150);
    expect(r.latencyP50Ns).toBeGreaterThan(0);
    expect(r.latencyP99Ns).toBeGreaterThanOrEqual(r.latencyP50Ns);
    expect(r.packetHops).toBeGreaterThan(SMALL.requests * 20);
    expect(r.podsMaterialized).toBeLessThan(r.pods);
  });

  it('has the shape of the real thing: Deployments → pods spread over nodes, EndpointSlices, NodePort/LB/headless Services', () => {
    const w = build();
    const s = w.state!;
    expect(s.pods.length).toBe(602); // 600 + the two CoreDNS pods
    expect(s.services.length).toBe(202); // 200 + kubernetes + kube-dns
    const perNode = new Map<string, number>();
    for (const p of s.pods) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    expect(Math.max(...perNode.values()) - Math.min(...perNode.values())).toBeLessThanOrEqual(1);
    const types = s.services.map((x) => (x.spec.clusterIP === 'None' ? 'headless' : x.spec.type));
    expect(types.filter((t) => t === 'NodePort').length).toBe(20);
    expect(types.filter((t) => t === 'LoadBalancer').length).toBe(2);
    expect(types.filter((t) => t === 'headless').length).toBe(4);
    expect(s.services.filter((x) => x.spec.type === 'LoadBalancer').every((x) => x.status?.loadBalancer?.ingress?.[0]?.ip)).toBe(true);
  });

  it('shares one ruleset between all nodes when no Service has a Local policy', () => {
    const w = build({ localTrafficShare: 0 });
    const texts = renderEveryNode(w);
    expect(new Set(texts).size).toBe(1);
    const r = w.run();
    expect(r.distinctRulesets).toBe(1);
    expect(r.netfilterRulesetsBuilt).toBe(1);
    const filters = new Set([...w.cluster!.nodes.values()].map((n) => n.host.netfilter));
    expect(filters.size).toBe(1);
  });

  it('gives nodes with node-local endpoints (externalTrafficPolicy Local) rules of their own, grouped exactly', () => {
    const w = build({ services: 400, loadBalancerShare: 0.05, localTrafficShare: 0.5 });
    const texts = renderEveryNode(w);
    const nodes = [...w.cluster!.nodes.values()];
    // Nodes share a netfilter exactly when their rendered texts are equal.
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        expect(nodes[i]!.host.netfilter === nodes[j]!.host.netfilter).toBe(texts[i] === texts[j]);
      }
    }
    expect(new Set(texts).size).toBeGreaterThan(1);
    const r = w.run();
    expect(r.distinctRulesets).toBe(new Set(texts).size);
    expect(r.failures).toEqual({});
  });

  it('makes a node with node-local endpoints an overlay: its own chains only, the rest shared, evaluating as its full ruleset would', () => {
    const w = build({ services: 400, loadBalancerShare: 0.05, localTrafficShare: 0.5 });
    const s = w.state!;
    const texts = renderEveryNode(w);
    const nodes = [...w.cluster!.nodes.values()];
    const first = nodes[0]!.host.netfilter as Netfilter;
    const vips = s.services.filter((x) => x.spec.externalTrafficPolicy === 'Local').map((x) => ({ vip: ipv4(x.status!.loadBalancer!.ingress![0]!.ip!), nodePort: x.spec.ports![0]!.nodePort!, clusterIp: ipv4(x.spec.clusterIP!) }));
    expect(vips.length).toBeGreaterThan(0);
    const fulls = texts.map((t) => nodeNetfilter(w.generated!.kubeProxy, t));
    // iptables-save of an overlay (its merged view) is the node's own ruleset, rule for rule
    // (compared before any packet: counters of shared chains are shared).
    nodes.forEach((n, i) => expect((n.host.netfilter as Netfilter).save({ generatedOn: 'x' })).toBe(fulls[i]!.save({ generatedOn: 'x' })));
    let overlays = 0;
    nodes.forEach((n, i) => {
      const nf = n.host.netfilter as Netfilter;
      const full = fulls[i]!;
      if (nf === first) return;
      overlays++;
      // The big chains are the first node's objects: nothing of KUBE-SERVICES is copied.
      expect(nf.table('nat').compiled!.chains.has('KUBE-SERVICES')).toBe(false);
      // Packets take the same path, verdict and NAT through both.
      for (const v of vips) {
        for (const [dst, dport] of [[v.vip, 80], [n.ip, v.nodePort], [v.clusterIp, 80]] as const) {
          const a = evaluate(nf, n.host, dst, dport);
          const b = evaluate(full, n.host, dst, dport);
          expect(a).toEqual(b);
        }
      }
    });
    expect(overlays).toBeGreaterThan(0);
    const r = w.run();
    expect(r.netfilterRulesetsBuilt).toBe(1);
    expect(r.overlays).toBe(r.distinctRulesets - 1);
    // Each overlay holds a few chains: a small fraction of the rules a full copy would.
    expect(r.overlayRules / r.overlays).toBeLessThan(r.rules.rules / 20);
  });

  it('is deterministic', () => {
    const a = runClusterAtLimits({ ...SMALL, requests: 300 });
    const b = runClusterAtLimits({ ...SMALL, requests: 300 });
    expect([a.packetHops, a.events, a.latencyP50Ns, a.latencyP99Ns, a.simulatedNs]).toEqual([b.packetHops, b.events, b.latencyP50Ns, b.latencyP99Ns, b.simulatedNs]);
  });
});
