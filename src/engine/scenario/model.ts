/**
 * The typed model of a scenario file (shared/docs/scenario-format.md): the `kind: Scenario`
 * document with durations already parsed to SimTime and object references parsed to
 * `{kind, namespace?, name}`, the Kubernetes objects that sit beside it, and the problems a
 * load reports. Optional cluster fields stay optional here (the model says what the file
 * said); `CLUSTER_DEFAULTS` and the `resolve…` helpers give what an absent field means.
 *
 * Extensions beyond the contract's examples (all optional):
 * - `spec.budgets: {maxEvents, maxSimulatedTime, maxTraceBytes}` caps a run so a runaway
 *   scenario ends with a clear message instead of hanging the worker.
 * - `spec.cluster.propagationDelay` is how long after a change (pod deleted, readiness flip,
 *   node down, scale) EndpointSlices and every node's rules reflect it.
 * - traffic `from` also takes `statefulset/NAME` and `daemonset/NAME` (any of its pods).
 * - targets written `service:NAME.NAMESPACE` are accepted everywhere, because inside a URL
 *   `service:NS/NAME` cannot be told from a path (`http://service:web/clientip`).
 * - scenario-wide expectations take an optional `name` and `at` (when to check; default: at
 *   the end of the run).
 */
import type { SimTime } from '../sim/time.ts';
import type { DetectLocalMode, KubeProxyConfig } from '../k8s/kube-proxy/config.ts';
import type {
  DaemonSet,
  Deployment,
  EndpointSlice,
  Endpoints,
  Ingress,
  Namespace,
  Node,
  Pod,
  ReplicaSet,
  Service,
  StatefulSet,
  StringMap,
} from '../k8s/model/index.ts';

// ---------------------------------------------------------------------------------------------
// Problems

/** How bad a problem is: an error makes the file invalid; a warning only informs. */
export type Severity = 'error' | 'warning';

/**
 * One problem found while loading a scenario file, with its place in the source.
 * `line` and `column` are 1-based; `docIndex` is the 0-based YAML document index (-1 when the
 * problem concerns the file as a whole, e.g. a missing Scenario document).
 */
export interface ScenarioProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly docIndex: number;
  /** The object, as `Kind namespace/name` (`Node node-1`, `Scenario clusterip-basic`). */
  readonly object?: string;
  /** The field path inside the object, e.g. `spec.ports[1].targetPort`; '' for the whole object. */
  readonly path: string;
  readonly message: string;
  readonly severity: Severity;
}

/** A problem reported against an object (as the k8s controllers report theirs), before it has a position. */
export interface ObjectProblem {
  readonly ref: ObjectKey;
  readonly path: string;
  readonly message: string;
  readonly severity?: Severity;
  /** Which of several objects with this key is meant (0-based, file order), e.g. for a duplicate name. */
  readonly occurrence?: number;
  /** The object's index in `LoadResult.objects`, when known: the most precise way to name a duplicate. */
  readonly objectIndex?: number;
}

/** Names an object in the file: its kind, namespace (absent: "default", or none when cluster-scoped) and name. */
export interface ObjectKey {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes objects

/** A model type with its `kind` (and `apiVersion`) always present, so the union discriminates. */
export type Kinded<T extends { readonly kind?: string; readonly apiVersion?: string }> = T & {
  readonly kind: NonNullable<T['kind']>;
  readonly apiVersion: NonNullable<T['apiVersion']>;
};

/** Any Kubernetes object the loader turns into a typed model object. */
export type K8sObject =
  | Kinded<Pod>
  | Kinded<Deployment>
  | Kinded<ReplicaSet>
  | Kinded<StatefulSet>
  | Kinded<DaemonSet>
  | Kinded<Service>
  | Kinded<Endpoints>
  | Kinded<EndpointSlice>
  | Kinded<Ingress>
  | Kinded<Namespace>
  | Kinded<Node>;

/** The kinds the loader models, each with the only apiVersion it accepts. */
export const MODELLED_KINDS: Readonly<Record<K8sObject['kind'], string>> = {
  Pod: 'v1',
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Service: 'v1',
  Endpoints: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  Ingress: 'networking.k8s.io/v1',
  Namespace: 'v1',
  Node: 'v1',
};

/** Kinds that have no namespace (their keys ignore `metadata.namespace`). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Node',
  'Namespace',
  'Scenario',
  'KubeProxyConfiguration',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
  'IngressClass',
  'PriorityClass',
  'RuntimeClass',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'ServiceCIDR',
  'IPAddress',
]);

/** The canonical text of an object key: `Kind ns/name`, or `Kind name` when cluster-scoped. */
export function formatObjectKey(key: ObjectKey): string {
  if (CLUSTER_SCOPED_KINDS.has(key.kind)) return `${key.kind} ${key.name}`;
  const ns = key.namespace === undefined || key.namespace === '' ? 'default' : key.namespace;
  return `${key.kind} ${ns}/${key.name}`;
}

// ---------------------------------------------------------------------------------------------
// References written in the Scenario document

/** A reference to an object by kind, optional namespace and name (`pod/NS/NAME` → {kind: 'pod', namespace: 'NS', name: 'NAME'}). */
export interface ObjectRef<K extends string = string> {
  readonly kind: K;
  /** Absent when the text gave none: the reader applies "default" (or the source pod's namespace where that is meant). */
  readonly namespace?: string;
  readonly name: string;
}

/** Where traffic starts: a pod, a node, an external client, or any pod of a workload. */
export type SourceKind = 'pod' | 'node' | 'client' | 'deployment' | 'statefulset' | 'daemonset';

/** A traffic source (`from:`). */
export type SourceRef = ObjectRef<SourceKind>;

/** The source kinds `from:` accepts, in the order the docs list them. */
export const SOURCE_KINDS: readonly SourceKind[] = ['pod', 'node', 'client', 'deployment', 'statefulset', 'daemonset'];

/** The result of parsing reference text: the reference, or what was wrong with it. */
export type RefParse<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const CLIENT_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Whether text is a valid Kubernetes object name (a DNS-1123 subdomain, ≤ 253 characters). */
export function isObjectName(text: string): boolean {
  return text.length <= 253 && DNS_SUBDOMAIN.test(text);
}

/** Whether text is a valid namespace or Service name (a DNS-1123 label, ≤ 63 characters). */
export function isDnsLabel(text: string): boolean {
  return text.length <= 63 && DNS_LABEL.test(text);
}

function checkName(kind: string, name: string, what: string): string | null {
  if (name === '') return `${what}: the name is empty`;
  if (kind === 'client') return CLIENT_NAME.test(name) ? null : `${what}: "${name}" is not a valid client name`;
  return isObjectName(name) ? null : `${what}: "${name}" is not a valid ${kind} name (lower-case letters, digits, '-' and '.')`;
}

/**
 * Parses a source reference: `pod/NAME`, `pod/NS/NAME`, `node/NAME`, `client/NAME`,
 * `deployment/NAME` (also `deployment/NS/NAME`, `statefulset/…`, `daemonset/…`).
 */
export function parseSourceRef(text: string): RefParse<SourceRef> {
  const parts = text.trim().split('/');
  const kind = parts[0]!.toLowerCase() as SourceKind;
  const usage = 'expected pod/NAME, pod/NAMESPACE/NAME, node/NAME, client/NAME or deployment/NAME';
  if (parts.length < 2 || !SOURCE_KINDS.includes(kind)) return { ok: false, message: `"${text}" is not a source: ${usage}` };
  const namespaced = kind !== 'node' && kind !== 'client';
  if (parts.length > (namespaced ? 3 : 2)) return { ok: false, message: `"${text}" has too many '/' parts: ${usage}` };
  const name = parts[parts.length - 1]!;
  const namespace = parts.length === 3 ? parts[1]! : undefined;
  if (namespace !== undefined && !isDnsLabel(namespace)) return { ok: false, message: `"${text}": "${namespace}" is not a valid namespace` };
  const bad = checkName(kind, name, `"${text}"`);
  if (bad !== null) return { ok: false, message: bad };
  return { ok: true, value: namespace === undefined ? { kind, name } : { kind, namespace, name } };
}

/**
 * Parses a pod reference as faults and `servedBy` write it: `NAME`, `NS/NAME`, or the same
 * with a leading `pod/` (so a namespace literally called "pod" must be written `pod/pod/NAME`).
 */
export function parsePodRef(text: string): RefParse<ObjectRef<'pod'>> {
  let parts = text.trim().split('/');
  if (parts.length >= 2 && parts[0] === 'pod') parts = parts.slice(1);
  if (parts.length > 2) return { ok: false, message: `"${text}" is not a pod: expected NAME or NAMESPACE/NAME` };
  const name = parts[parts.length - 1]!;
  const namespace = parts.length === 2 ? parts[0]! : undefined;
  if (namespace !== undefined && !isDnsLabel(namespace)) return { ok: false, message: `"${text}": "${namespace}" is not a valid namespace` };
  const bad = checkName('pod', name, `"${text}"`);
  if (bad !== null) return { ok: false, message: bad };
  return { ok: true, value: namespace === undefined ? { kind: 'pod', name } : { kind: 'pod', namespace, name } };
}

/** Parses `NAME` or `NAMESPACE/NAME` as a reference of the given kind (Services, workloads). */
export function parseNamespacedRef<K extends string>(kind: K, text: string): RefParse<ObjectRef<K>> {
  const parts = text.trim().split('/');
  if (parts.length > 2) return { ok: false, message: `"${text}" is not a ${kind}: expected NAME or NAMESPACE/NAME` };
  const name = parts[parts.length - 1]!;
  const namespace = parts.length === 2 ? parts[0]! : undefined;
  if (namespace !== undefined && !isDnsLabel(namespace)) return { ok: false, message: `"${text}": "${namespace}" is not a valid namespace` };
  const bad = checkName(kind, name, `"${text}"`);
  if (bad !== null) return { ok: false, message: bad };
  return { ok: true, value: namespace === undefined ? { kind, name } : { kind, namespace, name } };
}

/** The text of a reference as the file spells it: `pod/NS/NAME`, `node/NAME`, `service:NS/NAME`. */
export function formatRef(ref: ObjectRef): string {
  const sep = ref.kind === 'service' ? ':' : '/';
  return ref.namespace === undefined ? `${ref.kind}${sep}${ref.name}` : `${ref.kind}${sep}${ref.namespace}/${ref.name}`;
}

// ---------------------------------------------------------------------------------------------
// The Scenario document

/** The Scenario document: the cluster's machinery, traffic, faults and expectations. */
export interface Scenario {
  readonly apiVersion: 'kubewire.dev/v1alpha1';
  readonly kind: 'Scenario';
  readonly metadata: ScenarioMetadata;
  readonly spec: ScenarioSpec;
}

/** Scenario metadata: a name (defaults to the file name without extension) and a description. */
export interface ScenarioMetadata {
  readonly name: string;
  readonly description?: string;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
}

/** The Scenario's spec. Lists are always present (empty when the file has none). */
export interface ScenarioSpec {
  /** Every random choice derives from it (default 0). A 32-bit unsigned integer. */
  readonly seed: number;
  readonly cluster: ClusterSpec;
  readonly clients: readonly ClientSpec[];
  readonly traffic: readonly TrafficItem[];
  readonly faults: readonly Fault[];
  readonly expect: readonly ScenarioExpectation[];
  /** Limits for one run (extension). */
  readonly budgets: Budgets;
}

/** Run limits (extension): a run stops with a message when maxEvents or maxSimulatedTime is reached. */
export interface Budgets {
  readonly maxEvents?: number;
  readonly maxSimulatedTime?: SimTime;
  /** Memory the trace may use, columns, packet copies and details (`maxTraceBytes: 64Mi` or an integer); past 3/4 of it the trace is sampled by packet, the run goes on. */
  readonly maxTraceBytes?: number;
}

/** One node as the list form of `cluster.nodes` gives it. */
export interface ClusterNodeSpec {
  readonly name: string;
  /** Its address on the node network; absent: allocated from nodeCIDR. */
  readonly ip?: string;
  readonly labels?: StringMap;
}

/** An inclusive port range such as kube-apiserver's `--service-node-port-range` (30000-32767). */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** `spec.cluster`: the machinery the cluster is built with. */
export interface ClusterSpec {
  /** `nodes: 3` is read as node-1, node-2, node-3; a list keeps its names. Absent: `CLUSTER_DEFAULTS.nodes`. */
  readonly nodes?: readonly ClusterNodeSpec[];
  readonly podCIDR?: string;
  /** One or more comma-separated CIDRs; the first is primary and IPv4. */
  readonly serviceCIDR?: string;
  readonly nodeCIDR?: string;
  readonly dnsDomain?: string;
  readonly serviceNodePortRange?: PortRange;
  readonly allocateNodePorts?: boolean;
  readonly kubeProxy?: KubeProxySpec;
  readonly dns?: ClusterDnsSpec;
  readonly network?: NetworkSpec;
  readonly cloud?: CloudSpec;
  /** Delay between a change and EndpointSlices/rules reflecting it (extension). */
  readonly propagationDelay?: SimTime;
}

/** `cluster.kubeProxy` (or a KubeProxyConfiguration document): what shapes the iptables rules. */
export interface KubeProxySpec {
  /** Only iptables is modelled. */
  readonly mode?: 'iptables';
  /** '' means no local-traffic detector; absent means podCIDR. */
  readonly clusterCIDR?: string;
  readonly detectLocalMode?: Exclude<DetectLocalMode, ''>;
  readonly bridgeInterface?: string;
  readonly interfaceNamePrefix?: string;
  readonly masqueradeAll?: boolean;
  readonly masqueradeBit?: number;
  /** CIDRs or the special value "primary"; [] means every node address. */
  readonly nodePortAddresses?: readonly string[];
  readonly localhostNodePorts?: boolean;
  readonly randomFully?: boolean;
  readonly nfacct?: boolean;
  readonly conntrackTCPBeLiberal?: boolean;
}

/** The CoreDNS kubernetes plugin settings (shared/docs/cluster-dns.md). */
export interface ClusterDnsSpec {
  /** 0–3600 seconds. */
  readonly ttl?: number;
  readonly pods?: 'disabled' | 'insecure' | 'verified';
  readonly zones?: readonly string[];
  /** `true`: fall through for every zone; a list: for those zones; `false`/absent: never. */
  readonly fallthrough?: boolean | readonly string[];
  readonly ignoreEmptyService?: boolean;
  readonly upstream?: readonly UpstreamRecord[];
}

/** A record the resolver outside the cluster answers. */
export interface UpstreamRecord {
  readonly name: string;
  /** Upper-case RR type (A, AAAA, CNAME, TXT, …). */
  readonly type: string;
  readonly ttl?: number;
  readonly data: string;
}

/** `cluster.network`: the links between hosts. */
export interface NetworkSpec {
  readonly latency?: SimTime;
  /** Bits per second. */
  readonly bandwidth?: number;
  readonly mtu?: number;
}

/** `cluster.cloud`: the cloud provider's load balancer. */
export interface CloudSpec {
  readonly loadBalancer?: { readonly ipPool?: string };
}

/** A host outside the cluster. */
export interface ClientSpec {
  readonly name: string;
  readonly ip: string;
}

// ---------------------------------------------------------------------------------------------
// Traffic

/** Where traffic is sent: an IP literal, a hostname (resolved by the source's stub resolver), or a Service's load-balancer IP. */
export type HostTarget =
  | { readonly kind: 'ip'; readonly ip: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'service'; readonly service: ObjectRef<'service'> };

/** `http: {url, host?, method?}`. */
export interface HttpAction {
  /** The URL as written. */
  readonly url: string;
  readonly target: HostTarget;
  /** From the URL; 80 when it has none. */
  readonly port: number;
  /** Path and query, at least "/". */
  readonly path: string;
  /** The Host header, when set explicitly. */
  readonly host?: string;
  /** Upper-case; default GET. */
  readonly method: string;
}

/** `tcp: {host, port} | {address: HOST:PORT}, send?`. */
export interface TcpAction {
  readonly target: HostTarget;
  readonly port: number;
  readonly send?: string;
}

/** `udp: {host, port} | {address: HOST:PORT}, send`. */
export interface UdpAction {
  readonly target: HostTarget;
  readonly port: number;
  readonly send: string;
}

/** DNS query types traffic may ask for. */
export type DnsQueryType = 'A' | 'AAAA' | 'SRV' | 'PTR' | 'CNAME' | 'ANY' | 'TXT' | 'NS' | 'SOA' | 'MX';

/** The query types `dns.type` accepts. */
export const DNS_QUERY_TYPES: readonly DnsQueryType[] = ['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'ANY', 'TXT', 'NS', 'SOA', 'MX'];

/** `dns: {name, type}` (type default A). */
export interface DnsAction {
  readonly name: string;
  readonly type: DnsQueryType;
}

/** `ping: {address | host, count, interval}` (count default 1; interval like `ping -i`, default 1s). */
export interface PingAction {
  readonly target: HostTarget;
  readonly count: number;
  /** Between echo requests (absent: ping's default, 1 s). */
  readonly interval?: SimTime;
}

/** The kinds of traffic, in the order the docs list them. */
export const TRAFFIC_KINDS = ['http', 'tcp', 'udp', 'dns', 'ping'] as const;

/** One of the traffic kinds. */
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

/** The action of a traffic item, discriminated by `kind`. */
export type TrafficAction =
  | { readonly kind: 'http'; readonly http: HttpAction }
  | { readonly kind: 'tcp'; readonly tcp: TcpAction }
  | { readonly kind: 'udp'; readonly udp: UdpAction }
  | { readonly kind: 'dns'; readonly dns: DnsAction }
  | { readonly kind: 'ping'; readonly ping: PingAction };

/** What a traffic item shares whatever its kind. */
export interface TrafficCommon {
  /** Unique in the file; default `traffic[i]`. Names its expectation in results. */
  readonly name: string;
  /** When the first repeat starts (default 0). */
  readonly at: SimTime;
  readonly from: SourceRef;
  /** Separate connections or queries, each with a new source port (default 1). */
  readonly repeat: number;
  /** Time between repeats' starts (default 0: all start at `at`). */
  readonly interval?: SimTime;
  /** How long one repeat may take before it counts as timed out. */
  readonly timeout?: SimTime;
  /** Absent when the item asserts nothing. */
  readonly expect?: TrafficExpect;
}

/** One traffic item. */
export type TrafficItem = TrafficCommon & TrafficAction;

// ---------------------------------------------------------------------------------------------
// Expectations

/** An address in an expectation: an IP literal or an object whose address is meant. */
export type AddressValue =
  | { readonly kind: 'ip'; readonly ip: string }
  | { readonly kind: 'ref'; readonly ref: ObjectRef<'pod' | 'node' | 'client' | 'service'> };

/** An address with an optional port (`10.2.1.4:8080`, `pod/backend-1:8080`). */
export interface AddressPort {
  readonly address: AddressValue;
  readonly port?: number;
}

/** `body`: a substring, or `/regex/flags`. */
export type BodyMatcher = { readonly kind: 'substring'; readonly text: string } | { readonly kind: 'regex'; readonly source: string; readonly flags: string };

/** One alternative of `servedBy`. */
export type ServedByMatcher = { readonly kind: 'selector'; readonly selector: StringMap } | { readonly kind: 'pod'; readonly pod: ObjectRef<'pod'> };

/** `clientIP`: the address the server saw is (or, with `not`, is not) one of `values`. */
export interface ClientIpExpect {
  readonly not: boolean;
  readonly values: readonly AddressValue[];
}

/** `dnat`: the destination rewrite the packet undergoes (`none`: it is not rewritten). */
export type DnatExpect = { readonly none: true } | { readonly none: false; readonly from?: AddressPort; readonly to?: AddressPort };

/** One expected resource record; absent fields match anything. */
export interface DnsRecordExpect {
  readonly name?: string;
  readonly ttl?: number;
  readonly type?: string;
  readonly data?: string;
}

/** The expectations of one traffic item. */
export interface TrafficExpect {
  readonly status?: number;
  readonly body?: BodyMatcher;
  /** Any of these served each repeat. */
  readonly servedBy?: readonly ServedByMatcher[];
  /** Every serving pod got at least `min` (0–1) of the repeats. */
  readonly spread?: { readonly min: number };
  readonly sameBackend?: boolean;
  readonly clientIP?: ClientIpExpect;
  readonly refused?: boolean;
  readonly timeout?: boolean;
  /** Upper-case RCODE name (NOERROR, NXDOMAIN, SERVFAIL, …). */
  readonly rcode?: string;
  /** Order-insensitive answer data. */
  readonly answers?: readonly string[];
  readonly records?: readonly DnsRecordExpect[];
  /** The ordered node names the packet visits. */
  readonly hops?: readonly string[];
  readonly dnat?: DnatExpect;
  readonly maxLatency?: SimTime;
}

/** The expectation keys a traffic item may use, with the traffic kinds each makes sense for. */
export const EXPECT_APPLIES_TO: Readonly<Record<keyof TrafficExpect, readonly TrafficKind[]>> = {
  status: ['http'],
  body: ['http', 'tcp', 'udp'],
  servedBy: ['http', 'tcp', 'udp', 'dns', 'ping'],
  spread: ['http', 'tcp', 'udp', 'dns', 'ping'],
  sameBackend: ['http', 'tcp', 'udp', 'dns', 'ping'],
  clientIP: ['http', 'tcp', 'udp'],
  refused: ['http', 'tcp', 'udp'],
  timeout: ['http', 'tcp', 'udp', 'dns', 'ping'],
  rcode: ['dns'],
  answers: ['dns'],
  records: ['dns'],
  hops: ['http', 'tcp', 'udp', 'dns', 'ping'],
  dnat: ['http', 'tcp', 'udp', 'dns', 'ping'],
  maxLatency: ['http', 'tcp', 'udp', 'dns', 'ping'],
};

/** An iptables table a rule expectation may look in. */
export type IptablesTable = 'filter' | 'nat' | 'mangle' | 'raw';

/** A scenario-wide expectation. */
export type ScenarioExpectation =
  | {
      readonly kind: 'endpoints';
      readonly name?: string;
      readonly at?: SimTime;
      /** The Service's ready endpoint addresses are exactly these (order-insensitive). */
      readonly endpoints: { readonly service: ObjectRef<'service'>; readonly addresses: readonly AddressPort[] };
    }
  | {
      readonly kind: 'rule';
      readonly name?: string;
      readonly at?: SimTime;
      /** Some rule in the table on the node matches the regular expression (`iptables-save` text). */
      readonly rule: { readonly node: string; readonly table: IptablesTable; readonly matches: string };
    };

// ---------------------------------------------------------------------------------------------
// Faults

/** A fault injected at a time, discriminated by `kind` (the key the file used). */
export type Fault =
  | { readonly kind: 'deletePod'; readonly at: SimTime; readonly pod: ObjectRef<'pod'> }
  | { readonly kind: 'setReady'; readonly at: SimTime; readonly pod: ObjectRef<'pod'>; readonly ready: boolean }
  | { readonly kind: 'nodeDown'; readonly at: SimTime; readonly node: string }
  | { readonly kind: 'nodeUp'; readonly at: SimTime; readonly node: string }
  | {
      readonly kind: 'link';
      readonly at: SimTime;
      readonly node: string;
      /** Fraction of frames lost, 0–1. */
      readonly loss?: number;
      readonly latency?: SimTime;
      readonly bandwidth?: number;
    }
  | { readonly kind: 'scale'; readonly at: SimTime; readonly target: ObjectRef<'deployment' | 'statefulset'>; readonly replicas: number };

/** The fault kinds, in the order the docs list them. */
export const FAULT_KINDS: readonly Fault['kind'][] = ['deletePod', 'setReady', 'nodeDown', 'nodeUp', 'link', 'scale'];

// ---------------------------------------------------------------------------------------------
// Defaults

/**
 * What an absent cluster field means: a kubeadm cluster with kube-proxy ~1.33 in iptables
 * mode and kubeadm's Corefile. The address plan is the one k8s/controllers/cluster-config.ts
 * resolves the cluster with (it is the authority; these values must stay in step with it).
 */
export const CLUSTER_DEFAULTS = {
  nodes: 1,
  podCIDR: '10.244.0.0/16',
  serviceCIDR: '10.96.0.0/12',
  nodeCIDR: '192.168.49.0/24',
  dnsDomain: 'cluster.local',
  serviceNodePortRange: { min: 30000, max: 32767 } as PortRange,
  allocateNodePorts: true,
  kubeProxy: {
    detectLocalMode: 'ClusterCIDR' as const,
    masqueradeAll: false,
    masqueradeBit: 14,
    nodePortAddresses: [] as readonly string[],
    localhostNodePorts: true,
    randomFully: true,
    nfacct: false,
  },
  dns: { ttl: 30, pods: 'insecure' as const, ignoreEmptyService: false },
  network: { latency: 50_000 as SimTime, bandwidth: 10e9, mtu: 1500 },
  propagationDelay: 1_000_000 as SimTime,
} as const;

/** What absent budgets mean. */
export const BUDGET_DEFAULTS = {
  maxEvents: 5_000_000,
  maxSimulatedTime: 60_000_000_000 as SimTime,
  maxTraceBytes: 256 * 1024 * 1024,
} as const;

/** The cluster's nodes: the list as written, or node-1..node-N for the default count. */
export function clusterNodes(cluster: ClusterSpec): readonly ClusterNodeSpec[] {
  return cluster.nodes ?? numberedNodes(CLUSTER_DEFAULTS.nodes);
}

/** node-1 … node-N, the names `nodes: N` stands for. */
export function numberedNodes(count: number): ClusterNodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `node-${i + 1}` }));
}

/** The renderer's kube-proxy configuration for a cluster, with defaults applied (clusterCIDR defaults to podCIDR). */
export function kubeProxyConfigOf(cluster: ClusterSpec): KubeProxyConfig {
  const kp = cluster.kubeProxy ?? {};
  const d = CLUSTER_DEFAULTS.kubeProxy;
  const clusterCIDR = kp.clusterCIDR ?? cluster.podCIDR ?? CLUSTER_DEFAULTS.podCIDR;
  return {
    clusterCIDR,
    masqueradeAll: kp.masqueradeAll ?? d.masqueradeAll,
    nodePortAddresses: kp.nodePortAddresses ?? d.nodePortAddresses,
    localhostNodePorts: kp.localhostNodePorts ?? d.localhostNodePorts,
    randomFully: kp.randomFully ?? d.randomFully,
    // kube-proxy without a cluster CIDR has no ClusterCIDR detector (LocalModeNone).
    detectLocalMode: clusterCIDR === '' && (kp.detectLocalMode ?? d.detectLocalMode) === 'ClusterCIDR' ? '' : (kp.detectLocalMode ?? d.detectLocalMode),
    ...(kp.bridgeInterface !== undefined ? { bridgeInterface: kp.bridgeInterface } : {}),
    ...(kp.interfaceNamePrefix !== undefined ? { interfaceNamePrefix: kp.interfaceNamePrefix } : {}),
    nfacct: kp.nfacct ?? d.nfacct,
    masqueradeBit: kp.masqueradeBit ?? d.masqueradeBit,
    ...(kp.conntrackTCPBeLiberal !== undefined ? { conntrackTCPBeLiberal: kp.conntrackTCPBeLiberal } : {}),
  };
}
