/**
 * kube-proxy's rules for every node of a cluster, shared where nodes agree. renderIptables reads
 * the node in few places (kube-proxy-iptables.md §3.1, §5): whether an endpoint is local (only
 * for service ports that use node-local endpoints: internalTrafficPolicy Local, or
 * externalTrafficPolicy Local with an external destination), the node's addresses (only for a
 * --nodeport-addresses list that is not "all", and for the loadBalancerSourceRanges self-check),
 * and its pod CIDR (only for detectLocalMode NodeCIDR).
 *
 * - `keyOf` folds exactly those inputs into a string: nodes with equal keys get byte-identical
 *   restore text and can share one parsed ruleset. The key may tell apart nodes whose texts
 *   happen to be equal (it is conservative), never the reverse.
 * - `diff` says which chains of one node's rules differ from another's without rendering either
 *   in full: it renders only the node-dependent service ports for the node and reassembles the
 *   chains they write into. `overlay` turns that into a netfilter sharing everything else with
 *   the other node's (dataplane/netfilter/overlay.ts).
 *
 * The tests render every node of clusters with Local policies in full to check both.
 */
import { LABEL_SERVICE_NAME, namespaceOf, type EndpointSlice, type Service } from '../model/index.ts';
import type { Netfilter } from '../../dataplane/netfilter/netfilter.ts';
import { overlayNetfilter } from '../../dataplane/netfilter/overlay.ts';
import { parseRule } from '../../dataplane/netfilter/restore.ts';
import type { Rule, TableName } from '../../dataplane/netfilter/rule.ts';
import type { KubeProxyConfig, KubeProxyNode } from './config.ts';
import { nodePortAddresses } from './config.ts';
import { KubeProxySync, type RulesetLines, type RulesetParts } from './render-iptables.ts';
import { endpointsKey, usesLocalEndpoints } from './service-port.ts';

/** Everything one sync reads except the node and the stale chains. */
export interface RulesetInputs {
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly config: KubeProxyConfig;
}

/** Chains of one node's rules that differ from another's: per table, the chain's rule lines ("-A …"), or null when the node lacks the chain. */
export type RulesetDiff = Map<'filter' | 'nat', Map<string, string[] | null>>;

type Pick = (l: RulesetLines) => readonly string[];
const PICKS: readonly { table: 'filter' | 'nat'; chains: Pick; rules: Pick }[] = [
  { table: 'filter', chains: (l) => l.filterChains, rules: (l) => l.filterRules },
  { table: 'nat', chains: (l) => l.natChains, rules: (l) => l.natRules },
];

/** The chain a restore line is about: ":NAME - [0:0]" declares, "-A NAME …" appends, "-X NAME" deletes. */
function chainOfLine(line: string): string {
  if (line.charCodeAt(0) === 58 /* : */) return line.slice(1, line.indexOf(' '));
  const end = line.indexOf(' ', 3);
  return end < 0 ? line.slice(3) : line.slice(3, end);
}

function sameLines(a: RulesetLines, b: RulesetLines): boolean {
  const eq = (x: readonly string[], y: readonly string[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.filterChains, b.filterChains) && eq(a.filterRules, b.filterRules) && eq(a.natChains, b.natChains) && eq(a.natRules, b.natRules);
}

/** kube-proxy's rules for the nodes of one cluster (module doc). */
export class NodeRulesets {
  readonly sync: KubeProxySync;
  /** Per node name: the endpoints of node-local-policy service ports on that node, in slice order. */
  private readonly localByNode = new Map<string, string[]>();
  private readonly usesNodeIps: boolean;
  private readonly usesPrimaryIp: boolean;
  private readonly usesPodCidr: boolean;
  /** Service ports whose rules depend on the node. */
  private readonly dependent: number[] = [];
  /** Node-independent ports whose rules still read the node (the loadBalancerSourceRanges self-check). */
  private readonly alwaysCompare: number[] = [];
  /** Per node name: the node-local-policy service ports with an endpoint there. */
  private readonly localPortsByNode = new Map<string, Set<number>>();
  private base: { key: string; parts: RulesetParts; contributors: Map<string, number[]> } | null = null;

  constructor(input: RulesetInputs) {
    this.sync = new KubeProxySync(input.services, input.endpointSlices, input.config);
    const localKeys = new Set<string>();
    let firewall = false;
    const portOfKey = new Map<string, number[]>();
    this.sync.servicePorts.forEach((sp, i) => {
      const local = usesLocalEndpoints(sp);
      const fw = sp.loadBalancerSourceRanges.length > 0 && sp.loadBalancerVIPs.length > 0;
      if (local) {
        localKeys.add(sp.endpointsKey);
        const l = portOfKey.get(sp.endpointsKey);
        if (l === undefined) portOfKey.set(sp.endpointsKey, [i]);
        else l.push(i);
      }
      if (fw) {
        firewall = true;
        this.alwaysCompare.push(i);
      }
      if (local || fw) this.dependent.push(i);
    });
    this.usesNodeIps = !nodePortAddresses(input.config.nodePortAddresses).matchAll;
    this.usesPrimaryIp = firewall;
    this.usesPodCidr = input.config.detectLocalMode === 'NodeCIDR';
    if (localKeys.size === 0) return;
    for (const slice of input.endpointSlices) {
      const service = slice.metadata.labels?.[LABEL_SERVICE_NAME];
      if (service === undefined || service === '') continue;
      const ns = namespaceOf(slice.metadata);
      for (const port of slice.ports ?? []) {
        if (port.name === undefined) continue;
        const key = endpointsKey(ns, service, port.name, port.protocol ?? 'TCP');
        if (!localKeys.has(key)) continue;
        for (const ep of slice.endpoints) {
          if (ep.nodeName === undefined || ep.nodeName === '') continue;
          const c = ep.conditions;
          const entry = `${key}\u0001${slice.addressType}\u0001${ep.addresses.join(',')}\u0001${port.port ?? ''}\u0001${c?.ready ?? ''}${c?.serving ?? ''}${c?.terminating ?? ''}`;
          let list = this.localByNode.get(ep.nodeName);
          if (list === undefined) this.localByNode.set(ep.nodeName, (list = []));
          list.push(entry);
          let ports = this.localPortsByNode.get(ep.nodeName);
          if (ports === undefined) this.localPortsByNode.set(ep.nodeName, (ports = new Set()));
          for (const i of portOfKey.get(key) ?? []) ports.add(i);
        }
      }
    }
  }

  /** Service ports whose rules depend on the node (they use node-local endpoints). */
  get nodeDependentPorts(): number {
    return this.dependent.filter((i) => this.sync.nodeDependent(i)).length;
  }

  /** A key equal for two nodes only if their rules (without stale-chain deletes) are identical. */
  keyOf(node: KubeProxyNode): string {
    const parts = [
      this.usesNodeIps ? node.ips.join(',') : '',
      this.usesPrimaryIp ? (node.ips[0] ?? '') : '',
      this.usesPodCidr ? (node.podCIDR ?? '') : '',
      ...(this.localByNode.get(node.name) ?? []),
    ];
    return parts.join('\u0002');
  }

  /** `node`'s restore text (renderIptables for a fresh node). */
  text(node: KubeProxyNode): string {
    return this.sync.text(node);
  }

  /** The base node's parts, and which service ports write into each chain ("table\0chain"). */
  private baseOf(base: KubeProxyNode): { parts: RulesetParts; contributors: Map<string, number[]> } {
    const key = this.keyOf(base);
    if (this.base !== null && this.base.key === key) return this.base;
    const parts = this.sync.parts(base);
    const contributors = new Map<string, number[]>();
    parts.ports.forEach((l, i) => {
      for (const p of PICKS) {
        for (const line of [...p.chains(l), ...p.rules(l)]) {
          const k = `${p.table}\u0000${chainOfLine(line)}`;
          const list = contributors.get(k);
          if (list === undefined) contributors.set(k, [i]);
          else if (list[list.length - 1] !== i) list.push(i);
        }
      }
    });
    this.base = { key, parts, contributors };
    return this.base;
  }

  /** Forgets the base node's rendered parts (kept between `diff` calls; tens of MB at 10,000 Services). */
  releaseBase(): void {
    this.base = null;
  }

  /**
   * The chains where `node`'s rules differ from `base`'s (both fresh nodes), from renders of the
   * node-dependent service ports only; null when the difference is not confined to service
   * ports (node addresses or pod CIDR shape the fixed rules): then render the node in full.
   */
  diff(base: KubeProxyNode, node: KubeProxyNode): RulesetDiff | null {
    // detectLocalMode NodeCIDR puts the node's pod CIDR in every service port's rules.
    if (this.usesPodCidr) return null;
    const sNode = this.sync.settings(node);
    const b = this.baseOf(base);
    const fixedBase = this.sync.fixed(base);
    const fixedNode = this.sync.fixed(node);
    if (!sameLines(fixedBase.head, fixedNode.head) || !sameLines(fixedBase.tail, fixedNode.tail)) return null;
    // A node-local-policy port renders the same on two nodes unless one of them has an endpoint of it.
    const compare = new Set<number>([...this.alwaysCompare, ...(this.localPortsByNode.get(base.name) ?? []), ...(this.localPortsByNode.get(node.name) ?? [])]);
    const changed = new Map<number, RulesetLines>();
    for (const i of [...compare].sort((x, y) => x - y)) {
      const mine = this.sync.portLines(i, node, sNode);
      if (!sameLines(mine, b.parts.ports[i]!)) changed.set(i, mine);
    }
    const out: RulesetDiff = new Map();
    if (changed.size === 0) return out;
    // The chains whose lines from a changed port differ (a port's capture rules in KUBE-SERVICES
    // are usually the same both ways: that 10,000-port chain is then not reassembled).
    const touched = new Map<string, { table: 'filter' | 'nat'; chain: string; ports: Set<number> }>();
    for (const [i, mine] of changed) {
      for (const p of PICKS) {
        const byChain = new Map<string, [string, string]>();
        const note = (l: RulesetLines, side: 0 | 1): void => {
          for (const line of [...p.chains(l), ...p.rules(l)]) {
            const chain = chainOfLine(line);
            let v = byChain.get(chain);
            if (v === undefined) byChain.set(chain, (v = ['', '']));
            v[side] += `${line}\n`;
          }
        };
        note(mine, 0);
        note(b.parts.ports[i]!, 1);
        for (const [chain, [x, y]] of byChain) {
          if (x === y) continue;
          const k = `${p.table}\u0000${chain}`;
          let t = touched.get(k);
          if (t === undefined) touched.set(k, (t = { table: p.table, chain, ports: new Set(b.contributors.get(k) ?? []) }));
          t.ports.add(i);
        }
      }
    }
    for (const { table, chain, ports } of touched.values()) {
      const p = PICKS.find((x) => x.table === table)!;
      const order = [...ports].sort((x, y) => x - y);
      const assemble = (of: (i: number) => RulesetLines): { declared: boolean; rules: string[] } => {
        let declared = false;
        const rules: string[] = [];
        const take = (l: RulesetLines): void => {
          for (const line of p.chains(l)) if (chainOfLine(line) === chain) declared = true;
          for (const line of p.rules(l)) if (chainOfLine(line) === chain) rules.push(line);
        };
        take(fixedBase.head);
        for (const i of order) take(of(i));
        take(fixedBase.tail);
        return { declared, rules };
      };
      const theirs = assemble((i) => b.parts.ports[i]!);
      const mine = assemble((i) => changed.get(i) ?? b.parts.ports[i]!);
      if (theirs.declared === mine.declared && theirs.rules.length === mine.rules.length && theirs.rules.every((r, k) => r === mine.rules[k])) continue;
      let t = out.get(table);
      if (t === undefined) out.set(table, (t = new Map()));
      t.set(chain, mine.declared ? mine.rules : null);
    }
    return out;
  }

  /**
   * `node`'s netfilter as an overlay of `baseNetfilter` (the netfilter loaded with `base`'s rules
   * after kube-proxy's built-in jumps); null when `diff` cannot say.
   */
  overlay(baseNetfilter: Netfilter, base: KubeProxyNode, node: KubeProxyNode): { netfilter: Netfilter; changedChains: number; changedRules: number } | null {
    const d = this.diff(base, node);
    if (d === null) return null;
    const changes = new Map<TableName, Map<string, Rule[] | null>>();
    let changedChains = 0;
    let changedRules = 0;
    for (const [table, chains] of d) {
      const m = new Map<string, Rule[] | null>();
      for (const [chain, lines] of chains) {
        changedChains++;
        if (lines === null) {
          m.set(chain, null);
          continue;
        }
        m.set(
          chain,
          lines.map((line) => {
            const r = parseRule(line.slice(4 + chain.length), table);
            if (!r.ok) throw new Error(`kube-proxy rule for ${node.name} does not parse: ${line}: ${r.error.message}`);
            return r.rule;
          }),
        );
        changedRules += lines.length;
      }
      changes.set(table, m);
    }
    return { netfilter: overlayNetfilter(baseNetfilter, changes), changedChains, changedRules };
  }
}
