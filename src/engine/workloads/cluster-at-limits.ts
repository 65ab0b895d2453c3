/**
 * The "cluster-at-limits" workload: a generated cluster at Kubernetes' scalability thresholds
 * (5,000 nodes, 150,000 pods, 10,000 Services with about 15 endpoints each), built through the
 * real control plane, with kube-proxy's exact rules on every node, CoreDNS, and HTTP requests
 * from random pods to random Services by DNS name: the pod's stub resolver (search list,
 * ndots:5, A and AAAA), CoreDNS behind the kube-dns ClusterIP, kube-proxy's DNAT on the
 * client's node, TCP to netexec in a backend pod, and back.
 *
 * What makes it fit (docs/performance.md has the figures):
 * - Nodes with identical kube-proxy rules share one parsed and compiled netfilter ruleset
 *   (NodeRulesets.keyOf says which nodes are identical without rendering each one). A node whose
 *   rules differ (Local traffic policies put its node-local endpoints in its rules) gets an
 *   overlay of the first node's ruleset holding only the chains that differ.
 * - The node network is a cloud fabric: pod-subnet routes live in the underlay router, the
 *   fabric answers ARP and keeps no conntrack state, so 5,000 nodes cost O(nodes) routes and no
 *   broadcasts. Pods, having no iptables rules, track no connections (as in Linux).
 * - Pods are deferred: a pod's network namespace and programs are made when a packet first
 *   needs it (or when it becomes a client); most load-time work is never done for idle pods.
 *
 * Sizes are parameters so tests run a small version. The workload is split into phases so the
 * caller (the CLI bench) can time each one: engine code reads no clock.
 */
import { Simulation } from '../sim/simulation.ts';
import type { EventTarget } from '../sim/queue.ts';
import { Rng, type RandomStream } from '../sim/rng.ts';
import { Network } from '../dataplane/network.ts';
import type { Tracer } from '../trace/recorder.ts';
import type { Netfilter } from '../dataplane/netfilter/netfilter.ts';
import { compileTable } from '../dataplane/netfilter/eval.ts';
import { Cidr, formatIpv4 } from '../wire/addr.ts';
import { ClusterNetwork, type ClusterPod, type NodeRules } from '../k8s/cluster.ts';
import { ControlPlane, clusterConfigFrom, type ClusterConfig, type ClusterState, type K8sObject } from '../k8s/controllers/index.ts';
import { nodeNetfilter } from '../k8s/kube-proxy/node-ruleset.ts';
import { NodeRulesets } from '../k8s/kube-proxy/node-rulesets.ts';
import type { KubeProxyConfig } from '../k8s/kube-proxy/config.ts';
import { ClusterDnsRecords, KUBEADM_DNS_CONFIG } from '../k8s/dns/dns-records.ts';
import { podResolvConf, formatResolvConf } from '../k8s/dns/resolv-conf.ts';
import { namespaceOf, nodeInternalIPs, type Pod } from '../k8s/model/index.ts';
import { parseResolvConf, type ResolvConf } from '../apps/stub-resolver.ts';
import { startNetexec } from '../apps/netexec.ts';
import { startDnsServer } from '../apps/dns-server.ts';
import { httpGet, type HttpResult } from '../apps/http-client.ts';

/** The sizes and shape of the generated cluster and of the traffic. */
export interface ClusterAtLimitsOptions {
  /** Nodes (default 5,000: Kubernetes' documented limit). */
  nodes?: number;
  /** Application pods per node (default 30: 150,000 pods at 5,000 nodes). */
  podsPerNode?: number;
  /** Services, one Deployment each (default 10,000); replicas = pods / services (15). */
  services?: number;
  /** HTTP requests (default 100,000). */
  requests?: number;
  /** Simulated time between request starts (default 10 µs). */
  requestIntervalNs?: number;
  /** Fractions of Services of each kind (defaults 10% NodePort, 1% LoadBalancer, 2% headless; the rest ClusterIP). */
  nodePortShare?: number;
  loadBalancerShare?: number;
  headlessShare?: number;
  /** Fraction of the LoadBalancer Services with externalTrafficPolicy Local (default 0.5). */
  localTrafficShare?: number;
  /** Namespaces the Services are spread over (default services / 100). */
  namespaces?: number;
  seed?: number;
  /** Where the dataplane reports (default: nothing is recorded). */
  tracer?: Tracer;
}

/** The generated objects and settings, before the control plane. */
export interface GeneratedCluster {
  readonly config: ClusterConfig;
  readonly objects: K8sObject[];
  readonly kubeProxy: KubeProxyConfig;
  /** "ns/name" of every generated Service, in order; requests pick from these. */
  readonly services: readonly { readonly namespace: string; readonly name: string; readonly headless: boolean }[];
}

/** kube-proxy's rules of one node, as rendered and loaded. */
export interface RulesFigures {
  /** Rules in the node's netfilter after the load (all tables, built-in jumps included). */
  readonly rules: number;
  /** User chains in the node's netfilter. */
  readonly chains: number;
  /** Lines and bytes of the iptables-restore text kube-proxy hands over. */
  readonly lines: number;
  readonly bytes: number;
}

/** One request as it ended (for callers that check each one). */
export interface RequestOutcome {
  readonly index: number;
  /** The client pod, "ns/name". */
  readonly client: string;
  /** The Service asked for, "ns/name". */
  readonly service: string;
  readonly url: string;
  readonly result: HttpResult;
}

/** What the run measured (wall-clock figures are the caller's). */
export interface ClusterAtLimitsResult {
  readonly nodes: number;
  readonly pods: number;
  readonly services: number;
  readonly endpointSlices: number;
  readonly endpoints: number;
  readonly rules: RulesFigures;
  /** Distinct kube-proxy rulesets among the nodes (NodeRulesets.keyOf). */
  readonly distinctRulesets: number;
  /** Rulesets parsed and compiled in full (the first node's, and nodes that cannot be overlays). */
  readonly netfilterRulesetsBuilt: number;
  /** Rulesets made as overlays of the first node's, and the chains and rules they hold of their own. */
  readonly overlays: number;
  readonly overlayChains: number;
  readonly overlayRules: number;
  readonly nodeDependentServicePorts: number;
  readonly requests: number;
  /** Requests answered 200 by a pod of the Service asked for. */
  readonly ok: number;
  /** Requests that failed, by curl-like error (or "wrong-service", "status-NNN"). */
  readonly failures: Readonly<Record<string, number>>;
  /** The first few failures, described. */
  readonly failureSamples: readonly string[];
  readonly latencyP50Ns: number;
  readonly latencyP99Ns: number;
  readonly latencyMaxNs: number;
  readonly packetHops: number;
  readonly events: number;
  readonly simulatedNs: number;
  /** Pod network namespaces that were made (clients, backends, CoreDNS). */
  readonly podsMaterialized: number;
  readonly conntrackEntries: number;
  /** IP packets the hosts originated (requests, replies, DNS, TCP control; not forwarded copies). */
  readonly ipPacketsSent: number;
  /** Packet buffers ever allocated (the pool's high-water mark): every other packet reused one. */
  readonly packetBuffers: number;
}

const POD_CIDR = '10.128.0.0/9';
const NODE_CIDR = '172.16.0.0/16';
const LB_POOL = '198.18.0.0/15';
const NETEXEC_PORT = 8080;
const SERVICE_PORT = 80;
const START_NS = 1_000_000_000;
const TIMEOUT_NS = 5_000_000_000;
const EV_START = 1;

function required(o: ClusterAtLimitsOptions): Required<Omit<ClusterAtLimitsOptions, 'tracer'>> {
  const services = o.services ?? 10_000;
  return {
    nodes: o.nodes ?? 5_000,
    podsPerNode: o.podsPerNode ?? 30,
    services,
    requests: o.requests ?? 100_000,
    requestIntervalNs: o.requestIntervalNs ?? 10_000,
    nodePortShare: o.nodePortShare ?? 0.1,
    loadBalancerShare: o.loadBalancerShare ?? 0.01,
    headlessShare: o.headlessShare ?? 0.02,
    localTrafficShare: o.localTrafficShare ?? 0.5,
    namespaces: o.namespaces ?? Math.max(1, Math.ceil(services / 100)),
    seed: o.seed ?? 1,
  };
}

type Kind = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'LoadBalancerLocal' | 'headless';

/**
 * The kind of each Service: exact counts from the shares, in a seeded random order (kinds at
 * regular indices would put, say, every Local-policy Service's pods on the same few nodes,
 * since the scheduler fills nodes in a regular pattern).
 */
function serviceKinds(o: Required<Omit<ClusterAtLimitsOptions, 'tracer'>>): Kind[] {
  const n = o.services;
  const lb = Math.round(n * o.loadBalancerShare);
  const local = Math.round(lb * o.localTrafficShare);
  const nodePort = Math.min(n - lb, Math.round(n * o.nodePortShare));
  const headless = Math.min(n - lb - nodePort, Math.round(n * o.headlessShare));
  const kinds: Kind[] = [];
  for (let i = 0; i < n; i++) {
    kinds.push(i < local ? 'LoadBalancerLocal' : i < lb ? 'LoadBalancer' : i < lb + nodePort ? 'NodePort' : i < lb + nodePort + headless ? 'headless' : 'ClusterIP');
  }
  const rand = new Rng(o.seed).stream('cluster-at-limits/service-kinds');
  for (let i = n - 1; i > 0; i--) {
    const j = rand.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  return kinds;
}

/**
 * The cluster's objects: per Service one Deployment of agnhost-netexec pods (port 8080, named
 * "http") and the Service (port 80 → "http"), of the kinds serviceKinds deals out.
 */
export function generateCluster(options: ClusterAtLimitsOptions = {}): GeneratedCluster {
  const o = required(options);
  const replicas = Math.max(1, Math.floor((o.nodes * o.podsPerNode) / o.services));
  const objects: K8sObject[] = [];
  for (let n = 0; n < o.namespaces; n++) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}` } });
  const services: { namespace: string; name: string; headless: boolean }[] = [];
  const kinds = serviceKinds(o);
  for (let i = 0; i < o.services; i++) {
    const namespace = `ns-${i % o.namespaces}`;
    const name = `svc-${i}`;
    const labels = { app: name };
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'netexec',
                image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
                ports: [{ name: 'http', containerPort: NETEXEC_PORT, protocol: 'TCP' }],
              },
            ],
          },
        },
      },
    } as K8sObject);
    const kind = kinds[i]!;
    const lb = kind === 'LoadBalancer' || kind === 'LoadBalancerLocal';
    const nodePort = kind === 'NodePort';
    const headless = kind === 'headless';
    const local = kind === 'LoadBalancerLocal';
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: {
        type: lb ? 'LoadBalancer' : nodePort ? 'NodePort' : 'ClusterIP',
        ...(headless ? { clusterIP: 'None' } : {}),
        ...(local ? { externalTrafficPolicy: 'Local' as const } : {}),
        selector: labels,
        ports: [{ name: 'http', port: SERVICE_PORT, targetPort: 'http', protocol: 'TCP' }],
      },
    } as K8sObject);
    services.push({ namespace, name, headless });
  }
  const { config, problems } = clusterConfigFrom({
    nodes: Array.from({ length: o.nodes }, () => ({})),
    podCIDR: POD_CIDR,
    nodeCIDR: NODE_CIDR,
    cloud: { loadBalancer: { ipPool: LB_POOL } },
  });
  const bad = problems.find((p) => p.severity === 'error');
  if (bad) throw new Error(`cluster settings: ${bad.message}`);
  const kubeProxy: KubeProxyConfig = {
    clusterCIDR: POD_CIDR,
    masqueradeAll: false,
    nodePortAddresses: [],
    localhostNodePorts: true,
    randomFully: true,
    detectLocalMode: 'ClusterCIDR',
  };
  return { config, objects, kubeProxy, services };
}

const TABLES = ['raw', 'mangle', 'filter', 'nat'] as const;

function countLines(text: string): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** Counts what a netfilter holds: rules in every table, user chains. */
function countRules(nf: Netfilter): { rules: number; chains: number } {
  let rules = 0;
  let chains = 0;
  for (const t of TABLES) {
    for (const c of nf.table(t).chains.values()) {
      rules += c.rules.length;
      if (!c.builtin) chains++;
    }
  }
  return { rules, chains };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * The workload in phases — generate, reconcile, renderRules, loadRules, buildWorld, run — each
 * a method the caller can time. `runClusterAtLimits` runs them all.
 */
export class ClusterAtLimits {
  readonly opts: Required<Omit<ClusterAtLimitsOptions, 'tracer'>>;
  readonly sim: Simulation;
  readonly net: Network;
  generated: GeneratedCluster | null = null;
  state: ClusterState | null = null;
  rulesets: NodeRulesets | null = null;
  /** The loaded ruleset of each distinct key (the first node's key first). */
  private readonly byKey = new Map<string, NodeRules>();
  /** How the nodes' rulesets were made: one loaded in full per base, overlays, full copies. */
  readonly sharing = { full: 0, overlays: 0, overlayChains: 0, overlayRules: 0 };
  private firstText = '';
  private figures: RulesFigures | null = null;
  private firstKey = '';
  cluster: ClusterNetwork | null = null;
  private dns: ClusterDnsRecords | null = null;
  private readonly resolvByNs = new Map<string, ResolvConf>();
  /** App pods (not CoreDNS): the clients are drawn from these. */
  private appPods: Pod[] = [];

  constructor(options: ClusterAtLimitsOptions = {}) {
    this.opts = required(options);
    this.sim = new Simulation(this.opts.seed);
    this.net = new Network(this.sim, options.tracer);
  }

  /** Phase 1: the objects. */
  generate(): GeneratedCluster {
    this.generated = generateCluster(this.opts);
    return this.generated;
  }

  /** Phase 2: the control plane over the objects (API server, controllers, scheduler, IPAM, EndpointSlices). */
  reconcile(): ClusterState {
    const g = this.generated ?? this.generate();
    const cp = new ControlPlane(g.config, g.objects, this.sim.rng);
    const s = cp.state;
    if (s.errors.length > 0) throw new Error(`control plane: ${s.errors[0]!.message}`);
    this.state = s;
    return s;
  }

  private nodeFacts(i: number): { name: string; ips: string[]; podCIDR: string } {
    const n = this.state!.nodes[i]!;
    const podCIDR = n.spec!.podCIDR!;
    return { name: n.metadata.name, ips: [nodeInternalIPs(n)[0]!, formatIpv4(Cidr.of(podCIDR).at(1))], podCIDR };
  }

  /**
   * Phase 3: kube-proxy's full sync on the first node: the iptables-restore text (what
   * renderIptables writes; the sync is prepared once here, for every node).
   */
  renderRules(): { lines: number; bytes: number } {
    const s = this.state ?? this.reconcile();
    const node = this.nodeFacts(0);
    this.rulesets = new NodeRulesets({ services: s.services, endpointSlices: s.endpointSlices, config: this.generated!.kubeProxy });
    this.firstText = this.rulesets.text(node);
    this.firstKey = this.rulesets.keyOf(node);
    return { lines: countLines(this.firstText), bytes: this.firstText.length };
  }

  /** Phase 4: loads the first node's text into a netfilter (iptables-restore, then compiled for evaluation). */
  loadRules(): RulesFigures {
    if (this.firstText === '') this.renderRules();
    const nf = nodeNetfilter(this.generated!.kubeProxy, this.firstText);
    // Evaluation compiles a table on its first packet; do it now so the load is complete.
    for (const t of TABLES) compileTable(nf.table(t));
    this.byKey.set(this.firstKey, { netfilter: nf, text: this.firstText });
    this.sharing.full++;
    this.figures = { ...countRules(nf), lines: countLines(this.firstText), bytes: this.firstText.length };
    return this.figures;
  }

  /**
   * The ruleset for a node: shared with every node of the same key; for a new key, an overlay
   * of the first node's ruleset holding only the chains that differ (or, when the difference
   * is not confined to service ports, the node's own full ruleset).
   */
  private rulesFor(i: number): NodeRules {
    const node = this.nodeFacts(i);
    const key = this.rulesets!.keyOf(node);
    let r = this.byKey.get(key);
    if (r === undefined) {
      const first = this.byKey.get(this.firstKey)!;
      const o = this.rulesets!.overlay(first.netfilter, this.nodeFacts(0), node);
      if (o !== null) {
        // The text is what kube-proxy would hand over; rendered only if someone asks.
        r = { netfilter: o.netfilter, text: '' };
        this.sharing.overlays++;
        this.sharing.overlayChains += o.changedChains;
        this.sharing.overlayRules += o.changedRules;
      } else {
        const text = this.rulesets!.text(node);
        r = { netfilter: nodeNetfilter(this.generated!.kubeProxy, text), text };
        this.sharing.full++;
      }
      this.byKey.set(key, r);
    }
    return r;
  }

  /** Phase 5: the network — every node (sharing rulesets), deferred pods, CoreDNS. */
  buildWorld(): void {
    if (this.byKey.size === 0) this.loadRules();
    const s = this.state!;
    const g = this.generated!;
    const cluster = new ClusterNetwork(this.net, {
      latency: 50_000,
      bandwidth: 10e9,
      mtu: 1500,
      kubeProxy: g.kubeProxy,
      nodeCIDR: Cidr.of(g.config.nodeCIDR),
      podRoutes: 'underlay',
      fabricArp: true,
      podConntrack: false,
    });
    this.cluster = cluster;
    s.nodes.forEach((n, i) => cluster.addNode(n, this.rulesFor(i)));
    this.rulesets!.releaseBase();
    this.dns = new ClusterDnsRecords({
      services: s.services,
      endpointSlices: s.endpointSlices,
      pods: s.pods,
      namespaces: s.namespaces,
      config: { ...KUBEADM_DNS_CONFIG, zone: g.config.dnsDomain },
    });
    const kubeDns = s.services.find((x) => x.metadata.name === 'kube-dns' && namespaceOf(x.metadata) === 'kube-system')!.spec.clusterIP!;
    const dnsPods: Pod[] = [];
    for (const pod of s.pods) {
      if (!pod.spec.nodeName || !pod.status?.podIP) continue;
      const ns = namespaceOf(pod.metadata);
      if (!this.resolvByNs.has(ns)) {
        const conf = podResolvConf(pod, { clusterDns: [kubeDns], clusterDomain: g.config.dnsDomain, hostResolvConf: { nameservers: [], search: [], options: [] } });
        this.resolvByNs.set(ns, parseResolvConf(formatResolvConf(conf)));
      }
      const coreDns = ns === 'kube-system' && pod.metadata.labels?.['k8s-app'] === 'kube-dns';
      if (coreDns) dnsPods.push(pod);
      else this.appPods.push(pod);
      cluster.deferPod(pod, (cp) => this.startPrograms(cp, coreDns));
    }
    // CoreDNS answers every lookup: made now rather than on the first query.
    for (const p of dnsPods) cluster.materializePod(`${namespaceOf(p.metadata)}/${p.metadata.name}`);
  }

  private startPrograms(cp: ClusterPod, coreDns: boolean): void {
    if (coreDns) {
      startDnsServer(cp.host, { name: `coredns ${cp.key}`, sources: [this.dns!], recursionAvailable: true, keepLog: false });
      return;
    }
    const pod = cp.pod;
    startNetexec(cp.host, { pod: pod.metadata.name, namespace: namespaceOf(pod.metadata), container: 'netexec', ports: [{ port: NETEXEC_PORT, protocol: 'TCP' }], keepLog: false });
  }

  /** Phase 6: the requests, run to completion; `onRequest` sees each one as it ends. */
  run(onRequest?: (o: RequestOutcome) => void): ClusterAtLimitsResult {
    if (this.cluster === null) this.buildWorld();
    const s = this.state!;
    const g = this.generated!;
    const cluster = this.cluster!;
    const n = this.opts.requests;
    const latency = new Float64Array(n);
    const failures: Record<string, number> = {};
    const samples: string[] = [];
    let ok = 0;
    let done = 0;
    const pick = this.sim.rng.stream('cluster-at-limits/requests');
    const driver = new RequestDriver(this, pick, g, (i, r, svc, client, url) => {
      latency[i] = r.timings.totalNs;
      onRequest?.({ index: i, client, service: `${svc.namespace}/${svc.name}`, url, result: r });
      let why: string | null = null;
      if (r.error !== null) why = r.error;
      else if (r.status !== 200) why = `status-${r.status}`;
      else if (!r.body.startsWith(`${svc.name}-`)) why = 'wrong-service';
      if (why === null) ok++;
      else {
        failures[why] = (failures[why] ?? 0) + 1;
        if (samples.length < 10) samples.push(`${svc.namespace}/${svc.name} from ${r.local || '?'} to ${r.remote || '?'}: ${why} ${r.errorText}`);
      }
      if (++done === n) this.sim.stop();
    });
    if (n > 0) this.sim.scheduleAt(START_NS, driver, EV_START, 0);
    this.sim.run();
    const sorted = latency.slice(0, done).sort();
    let conntrackEntries = 0;
    let ipPacketsSent = 0;
    for (const h of this.net.hosts) {
      conntrackEntries += h.conntrack.count;
      ipPacketsSent += h.stats.ipOut;
    }
    return {
      nodes: s.nodes.length,
      pods: s.pods.length,
      services: s.services.length,
      endpointSlices: s.endpointSlices.length,
      endpoints: s.endpointSlices.reduce((a, sl) => a + sl.endpoints.length, 0),
      rules: this.figures!,
      distinctRulesets: this.distinctKeys(),
      netfilterRulesetsBuilt: this.sharing.full,
      overlays: this.sharing.overlays,
      overlayChains: this.sharing.overlayChains,
      overlayRules: this.sharing.overlayRules,
      nodeDependentServicePorts: this.rulesets!.nodeDependentPorts,
      requests: done,
      ok,
      failures,
      failureSamples: samples,
      latencyP50Ns: percentile(sorted, 0.5),
      latencyP99Ns: percentile(sorted, 0.99),
      latencyMaxNs: sorted.length ? sorted[sorted.length - 1]! : 0,
      packetHops: this.net.packetHops,
      events: this.sim.eventsRun,
      simulatedNs: this.sim.now,
      podsMaterialized: cluster.pods.size,
      conntrackEntries,
      ipPacketsSent,
      packetBuffers: this.net.pool.size,
    };
  }

  /** How many distinct kube-proxy rulesets the nodes have. */
  distinctKeys(): number {
    const keys = new Set<string>();
    for (let i = 0; i < this.state!.nodes.length; i++) keys.add(this.rulesets!.keyOf(this.nodeFacts(i)));
    return keys.size;
  }

  /** The pod runtime for a client request: its namespace (made now if deferred) and resolver. */
  client(i: number): { cp: ClusterPod; resolv: ResolvConf } {
    const pod = this.appPods[i]!;
    const ns = namespaceOf(pod.metadata);
    return { cp: this.cluster!.materializePod(`${ns}/${pod.metadata.name}`)!, resolv: this.resolvByNs.get(ns)! };
  }

  get appPodCount(): number {
    return this.appPods.length;
  }
}

/** Starts request i at its time, then schedules request i + 1: one pending start event at a time. */
class RequestDriver implements EventTarget {
  constructor(
    private readonly w: ClusterAtLimits,
    private readonly pick: RandomStream,
    private readonly g: GeneratedCluster,
    private readonly onDone: (i: number, r: HttpResult, svc: GeneratedCluster['services'][number], client: string, url: string) => void,
  ) {}

  handleEvent(kind: number, i: number): void {
    if (kind !== EV_START) return;
    const client = this.w.client(this.pick.int(0, this.w.appPodCount - 1));
    const svc = this.g.services[this.pick.int(0, this.g.services.length - 1)]!;
    // A headless Service's name resolves to its pods: clients use the container port.
    const url = svc.headless ? `http://${svc.name}.${svc.namespace}:${NETEXEC_PORT}/hostname` : `http://${svc.name}.${svc.namespace}/hostname`;
    httpGet(client.cp.host, { url, resolver: client.resolv, timeoutNs: TIMEOUT_NS }, (r) => this.onDone(i, r, svc, client.cp.key, url));
    if (i + 1 < this.w.opts.requests) this.w.sim.schedule(this.w.opts.requestIntervalNs, this, EV_START, i + 1);
  }
}

/** Runs every phase with `options`; returns the result. */
export function runClusterAtLimits(options: ClusterAtLimitsOptions = {}): ClusterAtLimitsResult {
  const w = new ClusterAtLimits(options);
  w.generate();
  w.reconcile();
  w.renderRules();
  w.loadRules();
  w.buildWorld();
  return w.run();
}
