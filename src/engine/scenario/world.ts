/**
 * World: a loaded scenario made real on the engine. It runs the control plane over the file's
 * objects, builds the cluster network (nodes, pods, clients, the resolver outside the cluster),
 * starts every pod's programs (netexec on each declared port; CoreDNS in the kube-dns pods),
 * loads kube-proxy's rules on every node, and keeps all of that in step when faults change the
 * cluster (after the propagation delay, as the EndpointSlice controller and kube-proxy would).
 */
import { Simulation } from '../sim/simulation.ts';
import type { SimTime } from '../sim/time.ts';
import { Network } from '../dataplane/network.ts';
import type { Host } from '../dataplane/host.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import { FlowFactsBuilder } from './flow-facts.ts';
import { TraceKind } from '../trace/events.ts';
import { Cidr, formatIpv4, ipv4, parseIpv4 } from '../wire/addr.ts';
import { ClusterNetwork, objectKey, type ClusterNode, type ClusterPod, type ExternalHost } from '../k8s/cluster.ts';
import { ControlPlane, clusterConfigFrom, type ClusterState, type ClusterConfigInput, type ChangeResult } from '../k8s/controllers/index.ts';
import type { KubeProxyConfig } from '../k8s/kube-proxy/config.ts';
import { ClusterDnsRecords, KUBEADM_DNS_CONFIG } from '../k8s/dns/dns-records.ts';
import { podResolvConf, formatResolvConf as formatKubeletResolvConf } from '../k8s/dns/resolv-conf.ts';
import { namespaceOf, type Pod, type Service } from '../k8s/model/index.ts';
import { startNetexec, type Netexec, type NetexecServeEvent } from '../apps/netexec.ts';
import { startIngressProxy, type IngressProxy } from '../apps/ingress-proxy.ts';
import { CloudLoadBalancer } from '../k8s/cloud-lb.ts';
import { KubeProxyHealth } from '../k8s/kube-proxy/healthz.ts';
import { computeIngressRoutes } from '../k8s/ingress.ts';
import { StaticZone, startDnsServer, type DnsServer } from '../apps/dns-server.ts';
import { parseResolvConf, type ResolvConf } from '../apps/stub-resolver.ts';
import type { LoadResult } from './parse.ts';
import { CLUSTER_DEFAULTS, type K8sObject, type Scenario, type ScenarioProblem } from './model.ts';

/** A pod as it runs: its network namespace, programs and resolver configuration. */
export interface PodRuntime {
  readonly key: string;
  readonly pod: Pod;
  readonly net: ClusterPod;
  /** /etc/resolv.conf as kubelet writes it. */
  readonly resolvConfText: string;
  readonly resolv: ResolvConf;
  readonly programs: Netexec[];
  dns: DnsServer | null;
  ingress: IngressProxy | null;
}

/** What a run must not exceed. */
export interface RunBudgets {
  maxEvents: number;
  maxSimulatedTime: SimTime;
  maxTraceBytes: number;
}

const UPSTREAM_HOST = 'upstream-dns';

export class World {
  readonly sim: Simulation;
  readonly net: Network;
  readonly trace: TraceRecorder;
  /** Per-flow facts, fed live by the trace recorder with every event that carries a flow (kept or not). */
  readonly flowFacts = new FlowFactsBuilder();
  readonly cp: ControlPlane;
  readonly cluster: ClusterNetwork;
  readonly dns: ClusterDnsRecords;
  readonly upstream: ExternalHost;
  readonly upstreamZone: StaticZone;
  readonly kubeProxy: KubeProxyConfig;
  readonly pods = new Map<string, PodRuntime>();
  /** Pods that stopped during the run (deleted, or replaced by a new pod of the same name), last one per key. */
  readonly gone = new Map<string, PodRuntime>();
  readonly budgets: RunBudgets;
  /** Every request a netexec program served, in order (also in the trace as App notes). */
  readonly served: NetexecServeEvent[] = [];
  /** Control-plane events (faults, syncs) for the CLI summary. */
  readonly timeline: { time: number; text: string }[] = [];
  /** Ready endpoints per Service each time kube-proxy synced (at build, then after each propagated change), in time order. */
  readonly endpointHistory: EndpointSnapshot[] = [];
  readonly propagationDelay: SimTime;
  /** The cloud provider's load balancer, when the scenario has an ipPool. */
  readonly cloudLb: CloudLoadBalancer | null = null;
  /** kube-proxy's health servers, per node. */
  readonly kubeProxyHealth = new Map<string, KubeProxyHealth>();
  private state: ClusterState;
  private readonly hostResolv: ResolvConf;

  constructor(
    readonly scenario: Scenario,
    readonly loaded: LoadResult,
    state: ClusterState,
    cp: ControlPlane,
    sim: Simulation,
  ) {
    const spec = scenario.spec;
    const c = spec.cluster;
    this.sim = sim;
    this.cp = cp;
    this.state = state;
    this.budgets = {
      maxEvents: spec.budgets.maxEvents ?? 5_000_000,
      maxSimulatedTime: spec.budgets.maxSimulatedTime ?? 60_000_000_000,
      maxTraceBytes: spec.budgets.maxTraceBytes ?? 256 * 1024 * 1024,
    };
    this.trace = new TraceRecorder({ maxBytes: this.budgets.maxTraceBytes, budgetName: 'maxTraceBytes' });
    this.trace.observer = this.flowFacts;
    this.net = new Network(sim, this.trace);
    this.propagationDelay = c.propagationDelay ?? CLUSTER_DEFAULTS.propagationDelay;
    const kp = c.kubeProxy ?? {};
    const podCIDR = state.config.podCIDR;
    this.kubeProxy = {
      clusterCIDR: kp.clusterCIDR ?? podCIDR,
      masqueradeAll: kp.masqueradeAll ?? false,
      nodePortAddresses: kp.nodePortAddresses ?? [],
      localhostNodePorts: kp.localhostNodePorts ?? true,
      randomFully: kp.randomFully ?? true,
      detectLocalMode: kp.clusterCIDR === '' ? '' : (kp.detectLocalMode ?? 'ClusterCIDR'),
      bridgeInterface: kp.bridgeInterface,
      interfaceNamePrefix: kp.interfaceNamePrefix,
      nfacct: kp.nfacct ?? false,
      masqueradeBit: kp.masqueradeBit,
      conntrackTCPBeLiberal: kp.conntrackTCPBeLiberal,
    };
    const nodeCIDR = Cidr.of(state.config.nodeCIDR);
    const nw = c.network ?? {};
    this.cluster = new ClusterNetwork(this.net, {
      latency: nw.latency ?? CLUSTER_DEFAULTS.network.latency,
      bandwidth: nw.bandwidth ?? CLUSTER_DEFAULTS.network.bandwidth,
      mtu: nw.mtu ?? CLUSTER_DEFAULTS.network.mtu,
      kubeProxy: this.kubeProxy,
      nodeCIDR,
    });
    for (const n of state.nodes) this.cluster.addNode(n);

    // The resolver outside the cluster: what nodes' /etc/resolv.conf points at (CoreDNS forwards
    // to it) and what external clients ask. It answers the file's upstream records.
    const upstreamIp = formatIpv4(nodeCIDR.at(nodeCIDR.size - 3));
    this.upstream = this.cluster.addExternal(UPSTREAM_HOST, upstreamIp);
    this.upstreamZone = new StaticZone(
      [...(c.dns?.upstream ?? []).map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, data: r.data })), ...this.ingressHostRecords()],
      { authoritative: false },
    );
    startDnsServer(this.upstream.host, { name: 'upstream resolver', sources: [this.upstreamZone], recursionAvailable: true });
    this.hostResolv = { nameservers: [this.upstream.ip], search: [], ndots: 1 };

    for (const client of spec.clients) this.cluster.addExternal(client.name, client.ip);

    this.dns = new ClusterDnsRecords({
      services: state.services,
      endpointSlices: state.endpointSlices,
      pods: state.pods,
      namespaces: state.namespaces,
      config: {
        ...KUBEADM_DNS_CONFIG,
        zone: state.config.dnsDomain,
        ttl: c.dns?.ttl ?? KUBEADM_DNS_CONFIG.ttl,
        pods: c.dns?.pods ?? KUBEADM_DNS_CONFIG.pods,
        zones: c.dns?.zones ?? KUBEADM_DNS_CONFIG.zones,
        fallthrough: c.dns?.fallthrough ?? KUBEADM_DNS_CONFIG.fallthrough,
        ignoreEmptyService: c.dns?.ignoreEmptyService ?? false,
      },
      upstream: this.upstreamZone,
    });

    for (const pod of state.pods) this.startPod(pod);
    this.cluster.syncAll(state.services, state.endpointSlices);
    for (const n of this.cluster.nodes.values()) {
      const h = new KubeProxyHealth(n.host, { nodeName: n.name }).start();
      h.update(state.services, state.endpointSlices);
      this.kubeProxyHealth.set(n.name, h);
    }
    if (state.config.loadBalancerIPPool) {
      this.cloudLb = new CloudLoadBalancer(this.cluster, { ipPool: state.config.loadBalancerIPPool });
      this.cloudLb.update(state.services);
      this.cloudLb.start();
    }
    this.endpointHistory.push({ time: this.sim.now, endpoints: readyEndpoints(state) });
  }

  /**
   * Public DNS for the Ingress hosts: each host named by an Ingress rule resolves, at the
   * resolver outside the cluster, to the ingress controller Service's load-balancer address, or
   * to the first node's address when it has none (then clients use its NodePort).
   */
  private ingressHostRecords(): { name: string; type: string; ttl: number; data: string }[] {
    const svc = this.state.services.find((s) => s.metadata.labels?.['app.kubernetes.io/name'] === 'ingress-nginx' || (s.spec.selector?.['app.kubernetes.io/name'] === 'ingress-nginx' && s.spec.type !== 'ClusterIP'));
    const lbIp = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
    const firstNode = [...this.cluster.nodes.values()][0];
    const target = lbIp ?? (firstNode ? formatIpv4(firstNode.ip) : undefined);
    if (!target) return [];
    const hosts = new Set<string>();
    for (const ing of this.state.ingresses) for (const r of ing.spec.rules ?? []) if (r.host && !r.host.startsWith('*')) hosts.add(r.host.toLowerCase());
    const known = new Set((this.scenario.spec.cluster.dns?.upstream ?? []).map((r) => r.name.toLowerCase().replace(/\.$/, '')));
    return [...hosts].filter((h) => !known.has(h)).map((h) => ({ name: h, type: 'A', ttl: 300, data: target }));
  }

  /** The cluster state as the control plane last committed it. */
  get current(): ClusterState {
    return this.state;
  }

  /** The kube-dns Service's ClusterIP (10th address of the service CIDR unless the file moved it). */
  get kubeDnsIp(): string {
    const svc = this.state.services.find((s) => s.metadata.name === 'kube-dns' && namespaceOf(s.metadata) === 'kube-system');
    return svc?.spec.clusterIP && svc.spec.clusterIP !== 'None' ? svc.spec.clusterIP : '';
  }

  /** Starts a pod's namespace and programs when it is scheduled and has an address. */
  private startPod(pod: Pod): void {
    const ns = namespaceOf(pod.metadata);
    const key = objectKey(ns, pod.metadata.name);
    if (this.pods.has(key) || !pod.spec.nodeName || !pod.status?.podIP) return;
    if (pod.spec.hostNetwork) return; // runs in the node's namespace: its ports are the node's (not modelled as programs)
    const net = this.cluster.addPod(pod);
    const kubeDns = this.kubeDnsIp;
    const conf = podResolvConf(pod, {
      clusterDns: kubeDns ? [kubeDns] : [],
      clusterDomain: this.state.config.dnsDomain,
      hostResolvConf: { nameservers: [formatIpv4(this.upstream.ip)], search: [], options: [] },
    });
    const resolvConfText = formatKubeletResolvConf(conf);
    const rt: PodRuntime = { key, pod, net, resolvConfText, resolv: parseResolvConf(resolvConfText), programs: [], dns: null, ingress: null };
    this.pods.set(key, rt);
    if (isCoreDns(pod)) {
      rt.dns = startDnsServer(net.host, { name: `coredns ${key}`, sources: [this.dns], upstream: this.upstream.ip, recursionAvailable: true });
      return;
    }
    if (isIngressController(pod)) {
      const ports = pod.spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP' && p.containerPort !== 443).map((p) => p.containerPort));
      rt.ingress = startIngressProxy(net.host, { name: `ingress-nginx ${key}`, ports: ports.length ? ports : [80], routes: computeIngressRoutes(this.state.ingresses, this.state.services) });
      return;
    }
    for (const container of pod.spec.containers) {
      const ports = (container.ports ?? []).map((p) => ({ port: p.containerPort, protocol: p.protocol ?? 'TCP' }));
      if (ports.length === 0) continue;
      try {
        rt.programs.push(startNetexec(net.host, { pod: pod.metadata.name, namespace: ns, container: container.name, ports, onServe: (e) => this.served.push(e) }));
      } catch (e) {
        // Two containers declaring one port: the second cannot bind, as in a real pod.
        this.note(`pod ${key}: container ${container.name} could not listen: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private stopPod(key: string): void {
    const rt = this.pods.get(key);
    if (!rt) return;
    this.gone.set(key, rt);
    for (const p of rt.programs) p.stop();
    rt.dns?.stop();
    rt.ingress?.stop();
    const [ns, name] = splitKey(key);
    this.cluster.removePod(ns, name);
    this.pods.delete(key);
  }

  /**
   * Applies a control-plane change: pods that are gone stop at once (their veth goes away),
   * new pods start, and after the propagation delay every node's kube-proxy re-syncs and
   * CoreDNS sees the new objects.
   */
  apply(change: ChangeResult, what: string): void {
    this.state = change.state;
    // A pod is the same pod while its key and address are; a StatefulSet pod recreated under
    // the same name gets a new address and a new network namespace.
    const live = new Map(change.state.pods.map((p) => [objectKey(namespaceOf(p.metadata), p.metadata.name), p.status?.podIP ?? ''] as const));
    for (const [key, rt] of [...this.pods]) if (live.get(key) !== formatIpv4(rt.net.ip)) this.stopPod(key);
    for (const pod of change.state.pods) this.startPod(pod);
    this.note(`${what}${change.changedServices.length ? ` (endpoints of ${change.changedServices.join(', ')} change)` : ''}`);
    if (change.problem) this.note(`warning: ${change.problem.message}`);
    const state = change.state;
    this.sim.after(this.propagationDelay, () => {
      if (this.state !== state) return; // a later change supersedes this one
      this.cluster.syncAll(state.services, state.endpointSlices);
      for (const h of this.kubeProxyHealth.values()) h.update(state.services, state.endpointSlices);
      this.cloudLb?.update(state.services);
      for (const rt of this.pods.values()) rt.ingress?.setRoutes(computeIngressRoutes(state.ingresses, state.services));
      this.endpointHistory.push({ time: this.sim.now, endpoints: readyEndpoints(state) });
      this.dns.update({ services: state.services, endpointSlices: state.endpointSlices, pods: state.pods, namespaces: state.namespaces });
      this.note(`kube-proxy re-synced on ${this.cluster.nodes.size} node(s); CoreDNS updated`);
    });
  }

  /** Running and stopped pod runtimes (a key may appear twice: a stopped pod and its replacement). */
  allPodRuntimes(): PodRuntime[] {
    return [...this.pods.values(), ...this.gone.values()];
  }

  /** Records a control-plane note in the timeline and the trace. */
  note(text: string): void {
    this.timeline.push({ time: this.sim.now, text });
    this.trace.note(TraceKind.App, this.sim.now, 'control-plane', '', 0, { text });
  }

  /** A node by name. */
  node(name: string): ClusterNode | undefined {
    return this.cluster.nodes.get(name);
  }

  /** The resolv.conf a host outside pods uses (nodes, clients): the upstream resolver. */
  get externalResolv(): ResolvConf {
    return this.hostResolv;
  }

  /** Which host answers for an address: a pod, a node, a client, or the address itself. */
  nameOfAddress(ip: number): string {
    const pod = this.cluster.podByIp(ip);
    if (pod) return pod.key;
    for (const n of this.cluster.nodes.values()) if (n.ip === ip || n.podSubnet.at(1) === ip) return `node/${n.name}`;
    for (const e of this.cluster.externals.values()) if (e.ip === ip) return `client/${e.name}`;
    return formatIpv4(ip);
  }

  /** The Service with this namespace/name. */
  service(ns: string, name: string): Service | undefined {
    return this.state.services.find((s) => s.metadata.name === name && namespaceOf(s.metadata) === ns);
  }

  /** The host of a pod, node or client by kind and key. */
  hostOf(kind: 'pod' | 'node' | 'client', key: string): Host | undefined {
    if (kind === 'pod') return this.pods.get(key)?.net.host;
    if (kind === 'node') return this.cluster.nodes.get(key)?.host;
    return this.cluster.externals.get(key)?.host;
  }
}

/** Ready endpoints per Service ("ns/name" → ["ip:port"]) as kube-proxy had them from one sync. */
export interface EndpointSnapshot {
  time: number;
  endpoints: { service: string; addresses: string[] }[];
}

/** Every Service's ready endpoint addresses ("ip:port", EndpointSlice order) in a cluster state. */
export function readyEndpoints(state: ClusterState): { service: string; addresses: string[] }[] {
  const byService = new Map<string, string[]>();
  for (const s of state.services) byService.set(`${namespaceOf(s.metadata)}/${s.metadata.name}`, []);
  for (const slice of state.endpointSlices) {
    const svc = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const list = byService.get(`${namespaceOf(slice.metadata)}/${svc}`);
    if (!list) continue;
    for (const ep of slice.endpoints) {
      if (ep.conditions?.ready === false || !ep.addresses[0]) continue;
      const ports = slice.ports ?? [];
      if (ports.length === 0) list.push(ep.addresses[0]);
      for (const p of ports) list.push(p.port === undefined ? ep.addresses[0] : `${ep.addresses[0]}:${p.port}`);
    }
  }
  return [...byService].map(([service, addresses]) => ({ service, addresses }));
}

/** Ingress controller pods (ingress-nginx's labels) run the L7 proxy, not netexec. */
function isIngressController(pod: Pod): boolean {
  const l = pod.metadata.labels ?? {};
  return l['app.kubernetes.io/name'] === 'ingress-nginx' && (l['app.kubernetes.io/component'] ?? 'controller') === 'controller';
}

/** The built-in CoreDNS pods (k8s-app=kube-dns in kube-system) run the DNS server, not netexec. */
function isCoreDns(pod: Pod): boolean {
  return namespaceOf(pod.metadata) === 'kube-system' && pod.metadata.labels?.['k8s-app'] === 'kube-dns';
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/**
 * When the file has Ingress objects but no ingress controller, the cluster gets one as a user
 * would install it: ingress-nginx's controller Deployment (1 replica) behind a LoadBalancer
 * Service (NodePort when the cloud has no address pool), in namespace ingress-nginx.
 */
function builtinIngressController(objects: LoadResult['objects'], hasPool: boolean): K8sObject[] {
  if (!objects.some((o) => o.kind === 'Ingress')) return [];
  const has = objects.some((o) => (o.kind === 'Deployment' || o.kind === 'DaemonSet' || o.kind === 'Pod') && (o.kind === 'Pod' ? o.metadata.labels : o.spec.template.metadata?.labels)?.['app.kubernetes.io/name'] === 'ingress-nginx');
  if (has) return [];
  const labels = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };
  const ns = 'ingress-nginx';
  const out: K8sObject[] = [];
  if (!objects.some((o) => o.kind === 'Namespace' && o.metadata.name === ns)) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'app.kubernetes.io/name': 'ingress-nginx' } } });
  out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ingress-nginx-controller', namespace: ns, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'controller',
              image: 'registry.k8s.io/ingress-nginx/controller:v1.12.1',
              ports: [
                { name: 'http', containerPort: 80, protocol: 'TCP' },
                { name: 'https', containerPort: 443, protocol: 'TCP' },
              ],
            },
          ],
        },
      },
    },
  });
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'ingress-nginx-controller', namespace: ns, labels },
    spec: {
      type: hasPool ? 'LoadBalancer' : 'NodePort',
      externalTrafficPolicy: 'Local',
      selector: labels,
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
      ],
    },
  });
  return out;
}

/** The outcome of building a world: the world, or the problems that stop it. */
export interface BuildResult {
  world?: World;
  errors: ScenarioProblem[];
  warnings: ScenarioProblem[];
}

/** Builds the world for a loaded scenario (ok or not: a file with errors never runs half-way). */
export function buildWorld(loaded: LoadResult, extraObjects: readonly K8sObject[] = []): BuildResult {
  const errors: ScenarioProblem[] = [...loaded.errors];
  const warnings: ScenarioProblem[] = [...loaded.warnings];
  const scenario = loaded.scenario;
  if (!loaded.ok || !scenario) return { errors, warnings };
  const c = scenario.spec.cluster;
  const input: ClusterConfigInput = {
    nodes: c.nodes,
    podCIDR: c.podCIDR,
    serviceCIDR: c.serviceCIDR,
    nodeCIDR: c.nodeCIDR,
    dnsDomain: c.dnsDomain,
    serviceNodePortRange: c.serviceNodePortRange,
    allocateNodePorts: c.allocateNodePorts,
    cloud: c.cloud,
  };
  const { config, problems } = clusterConfigFrom(input);
  const scenarioKey = { kind: 'Scenario', name: scenario.metadata.name };
  for (const p of problems) (p.severity === 'error' ? errors : warnings).push(loaded.positions.problem({ ref: scenarioKey, path: p.path, message: p.message, severity: p.severity }));
  if (errors.length) return { errors, warnings };
  const sim = new Simulation(scenario.spec.seed);
  let cp: ControlPlane;
  try {
    cp = new ControlPlane(config, [...loaded.objects, ...extraObjects, ...builtinIngressController(loaded.objects, config.loadBalancerIPPool !== undefined)], sim.rng);
  } catch (e) {
    errors.push({ file: loaded.positions.fileName, line: 1, column: 1, docIndex: -1, path: '', message: `internal error in the control plane: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' });
    return { errors, warnings };
  }
  const state = cp.state;
  for (const p of state.errors) errors.push(loaded.positions.problem({ ref: p.ref, path: p.path, message: p.message, severity: 'error', objectIndex: p.objectIndex }));
  for (const p of state.warnings) warnings.push(loaded.positions.problem({ ref: p.ref, path: p.path, message: p.message, severity: 'warning', objectIndex: p.objectIndex }));
  if (errors.length) return { errors, warnings };
  try {
    return { world: new World(scenario, loaded, state, cp, sim), errors, warnings };
  } catch (e) {
    errors.push({ file: loaded.positions.fileName, line: 1, column: 1, docIndex: -1, path: '', message: `could not build the cluster: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' });
    return { errors, warnings };
  }
}

export { ipv4, parseIpv4 };
