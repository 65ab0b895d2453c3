/**
 * `kubectl get` views of the model objects, printed the way kubectl 1.32 prints them.
 *
 * Tables: the columns and cell rules of kubectl's printers (k8s.io/kubernetes pkg/printers/
 * internalversion) laid out by Go's text/tabwriter as kubectl configures it (minwidth 6,
 * padding 3, pad with spaces, last column unpadded). `-A` puts NAMESPACE first (not for
 * cluster-scoped nodes). Rows come in the API server's list order: by "namespace/name" key.
 * An empty table prints nothing on stdout and "No resources found in NS namespace." (or
 * "No resources found" for nodes and -A) on stderr; the result says which stream.
 *
 * `-o json` / `-o yaml` print what kubectl's generic printers print for a list: a `List`
 * (`{"apiVersion": "v1", "items": [...], "kind": "List", "metadata": {"resourceVersion": ""}}`)
 * of unstructured objects, so keys come sorted (Go's encoding/json byte order; go-yaml v2's
 * key order for YAML), JSON indented by 4 spaces with <, >, & escaped as \u003c, \u003e, \u0026.
 * Objects get the apiVersion/kind (and the "default" namespace) the API server would report.
 * `-o name` prints `pod/NAME`, `service/NAME`, `endpoints/NAME`,
 * `endpointslice.discovery.k8s.io/NAME`, `node/NAME`; nothing at all when empty.
 *
 * What the model lacks is filled with kind-like values (a kind v0.27 cluster): node VERSION
 * v1.32.2, OS-IMAGE "Debian GNU/Linux 12 (bookworm)", KERNEL-VERSION 6.8.0-51-generic,
 * CONTAINER-RUNTIME containerd://2.0.3 (status.nodeInfo wins when an object carries it).
 * Pods without containerStatuses get the statuses a kubelet would report for their phase:
 * Running → running containers, ready when the Ready condition is True; Pending on a node →
 * waiting "ContainerCreating"; Succeeded/Failed → terminated "Completed"/"Error". AGE comes
 * from `opts.age`, else "<unknown>" (kubectl's text for an unset creationTimestamp).
 */
import type { EndpointSlice, Endpoints, Node, Pod, Service } from './model/index.ts';
import { toKubectlYaml, type JsonValue } from './kubectl-yaml.ts';

/** The canonical resource names `kubectlGet` understands. */
export type KubectlResource = 'pods' | 'services' | 'endpoints' | 'endpointslices' | 'nodes';

/** The objects `kubectlGet` reads (a ClusterState satisfies it). */
export interface KubectlState {
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly endpoints: readonly Endpoints[];
  readonly nodes: readonly Node[];
}

/** Any object `kubectlGet` prints. */
export type KubectlObject = Pod | Service | EndpointSlice | Endpoints | Node;

/** `-o` formats: the default table, wide, yaml, json and name. */
export type KubectlOutput = 'table' | 'wide' | 'yaml' | 'json' | 'name';

/** Options of `kubectl get`. */
export interface KubectlGetOptions {
  readonly output?: KubectlOutput;
  /** `-n`; defaults to "default". Ignored for nodes and with `allNamespaces`. */
  readonly namespace?: string;
  /** `-A` / `--all-namespaces`. */
  readonly allNamespaces?: boolean;
  /** The AGE cell of an object (e.g. from simulated time); "<unknown>" when absent. */
  readonly age?: (obj: KubectlObject) => string;
}

/** What `kubectl get` printed: the text, the stream it goes to, and the exit status. */
export interface KubectlGetResult {
  readonly text: string;
  readonly stream: 'stdout' | 'stderr';
  readonly exitCode: 0 | 1;
}

/** Node facts the model does not carry, as a kind v0.27 node reports them. */
export const KIND_NODE_INFO = Object.freeze({
  kubeletVersion: 'v1.32.2',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.8.0-51-generic',
  containerRuntimeVersion: 'containerd://2.0.3',
});

const ALIASES: Readonly<Record<string, KubectlResource>> = {
  po: 'pods',
  pod: 'pods',
  pods: 'pods',
  svc: 'services',
  service: 'services',
  services: 'services',
  ep: 'endpoints',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  endpointslices: 'endpointslices',
  'endpointslice.discovery.k8s.io': 'endpointslices',
  'endpointslices.discovery.k8s.io': 'endpointslices',
  no: 'nodes',
  node: 'nodes',
  nodes: 'nodes',
};

/** The canonical resource for a name or alias kubectl accepts (po, svc, ep, no, endpointslice, …), or null. */
export function kubectlResource(name: string): KubectlResource | null {
  return ALIASES[name.toLowerCase()] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Table layout (Go text/tabwriter with kubectl's settings)

const TAB_MIN_WIDTH = 6;
const TAB_PADDING = 3;

function width(s: string): number {
  return [...s].length;
}

/** Rows of cells laid out as kubectl's tabwriter does: each column but the last padded to max(6, widest + 3). */
export function tabwrite(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      if (i < row.length - 1) widths[i] = Math.max(widths[i] ?? TAB_MIN_WIDTH, width(cell) + TAB_PADDING);
    });
  }
  return rows.map((row) => row.map((cell, i) => (i < row.length - 1 ? cell + ' '.repeat(widths[i]! - width(cell)) : cell)).join('') + '\n').join('');
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Loose = Record<string, unknown>;

function loose(v: unknown): Loose {
  return v !== null && typeof v === 'object' ? (v as Loose) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function nsOf(obj: KubectlObject): string {
  return obj.metadata.namespace === undefined || obj.metadata.namespace === '' ? 'default' : obj.metadata.namespace;
}

function compareCodePoints(a: string, b: string): number {
  const ac = [...a];
  const bc = [...b];
  for (let i = 0; i < ac.length && i < bc.length; i++) {
    const d = ac[i]!.codePointAt(0)! - bc[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ac.length - bc.length;
}

/** labels.FormatLabels: "k=v" sorted by key, comma-joined; "<none>" when empty. */
function formatLabels(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort(compareCodePoints);
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${m![k]}`).join(',');
}

/** net.JoinHostPort. */
function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

// ---------------------------------------------------------------------------------------------
// Rows

interface ContainerStatusLike {
  ready: boolean;
  restartCount: number;
  waiting?: string;
  terminated?: { reason?: string; exitCode?: number; signal?: number };
  running: boolean;
}

function containerStatuses(pod: Pod): ContainerStatusLike[] {
  const given = loose(pod.status)['containerStatuses'];
  if (Array.isArray(given)) {
    return given.map((raw) => {
      const c = loose(raw);
      const state = loose(c['state']);
      const t = state['terminated'] === undefined ? undefined : loose(state['terminated']);
      return {
        ready: c['ready'] === true,
        restartCount: typeof c['restartCount'] === 'number' ? c['restartCount'] : 0,
        ...(state['waiting'] === undefined ? {} : { waiting: str(loose(state['waiting'])['reason']) ?? '' }),
        ...(t === undefined
          ? {}
          : {
              terminated: {
                ...(str(t['reason']) === undefined ? {} : { reason: str(t['reason'])! }),
                ...(typeof t['exitCode'] === 'number' ? { exitCode: t['exitCode'] } : {}),
                ...(typeof t['signal'] === 'number' ? { signal: t['signal'] } : {}),
              },
            }),
        running: state['running'] !== undefined,
      };
    });
  }
  const phase = pod.status?.phase;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const n = pod.spec.containers.length;
  const make = (s: Omit<ContainerStatusLike, 'restartCount'>): ContainerStatusLike[] => Array.from({ length: n }, () => ({ restartCount: 0, ...s }));
  switch (phase) {
    case 'Running':
      return make({ ready: ready === undefined || ready.status === 'True', running: true });
    case 'Pending':
      return str(pod.spec.nodeName) === undefined ? [] : make({ ready: false, running: false, waiting: 'ContainerCreating' });
    case 'Succeeded':
      return make({ ready: false, running: false, terminated: { reason: 'Completed', exitCode: 0 } });
    case 'Failed':
      return make({ ready: false, running: false, terminated: { reason: 'Error', exitCode: 1 } });
    default:
      return [];
  }
}

function podCells(pod: Pod, wide: boolean, age: string): string[] {
  const status = loose(pod.status);
  const phase = pod.status?.phase ?? '';
  let reason: string = str(status['reason']) ?? phase;
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'SchedulingGated') reason = 'SchedulingGated';
  let restarts = 0;
  let readyContainers = 0;
  let hasRunning = false;
  const statuses = containerStatuses(pod);
  for (let i = statuses.length - 1; i >= 0; i--) {
    const c = statuses[i]!;
    restarts += c.restartCount;
    if (c.waiting !== undefined && c.waiting !== '') reason = c.waiting;
    else if (c.terminated?.reason !== undefined) reason = c.terminated.reason;
    else if (c.terminated !== undefined) reason = c.terminated.signal ? `Signal:${c.terminated.signal}` : `ExitCode:${c.terminated.exitCode ?? 0}`;
    else if (c.ready && c.running) {
      hasRunning = true;
      readyContainers++;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  const deleting = pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== '';
  if (deleting && str(status['reason']) === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  const cells = [pod.metadata.name, `${readyContainers}/${pod.spec.containers.length}`, reason, String(restarts), age];
  if (wide) {
    const ip = pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP;
    const gates = loose(pod.spec)['readinessGates'];
    let readinessGates = '<none>';
    if (Array.isArray(gates) && gates.length > 0) {
      const trueConditions = gates.filter((g) => pod.status?.conditions?.some((c) => c.type === loose(g)['conditionType'] && c.status === 'True')).length;
      readinessGates = `${trueConditions}/${gates.length}`;
    }
    cells.push(str(ip) ?? '<none>', str(pod.spec.nodeName) ?? '<none>', str(status['nominatedNodeName']) ?? '<none>', readinessGates);
  }
  return cells;
}

/** loadBalancerStatusStringer: ingress IPs (else hostnames), sorted and deduplicated; cut to 13 chars + "..." past 16 unless wide. */
function loadBalancerIngress(svc: Service, wide: boolean): string {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (str(ing.ip) !== undefined) set.add(ing.ip!);
    else if (str(ing.hostname) !== undefined) set.add(ing.hostname!);
  }
  const r = [...set].sort(compareCodePoints).join(',');
  return !wide && r.length > 16 ? `${r.slice(0, 13)}...` : r;
}

function serviceExternalIP(svc: Service, wide: boolean): string {
  const externalIPs = svc.spec.externalIPs ?? [];
  switch (svc.spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc, wide);
      if (externalIPs.length > 0) return [...(lb === '' ? [] : lb.split(',')), ...externalIPs].join(',');
      return lb === '' ? '<pending>' : lb;
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function servicePorts(svc: Service): string {
  const ports = (svc.spec.ports ?? []).map((p) => {
    const proto = p.protocol ?? 'TCP';
    return p.nodePort !== undefined && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${proto}` : `${p.port}/${proto}`;
  });
  return ports.length === 0 ? '<none>' : ports.join(',');
}

function serviceCells(svc: Service, wide: boolean, age: string): string[] {
  const clusterIP = str(svc.spec.clusterIPs?.[0]) ?? str(svc.spec.clusterIP) ?? '<none>';
  const cells = [svc.metadata.name, svc.spec.type ?? 'ClusterIP', clusterIP, serviceExternalIP(svc, wide), servicePorts(svc), age];
  if (wide) cells.push(formatLabels(svc.spec.selector));
  return cells;
}

/** formatEndpoints: up to 3 "ip:port" (or ip for port-less subsets), then " + N more...". */
function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if ((ss.ports ?? []).length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ss.ports!) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

function sliceCells(slice: EndpointSlice, age: string): string[] {
  const max = 3;
  const ports: string[] = [];
  let portsMore = false;
  let portCount = 0;
  for (const p of slice.ports ?? []) {
    if (ports.length < max) ports.push(p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*');
    else portsMore = true;
    portCount++;
  }
  const addrs: string[] = [];
  let addrsMore = false;
  let addrCount = 0;
  for (const e of slice.endpoints) {
    for (const a of e.addresses) {
      if (addrs.length < max) addrs.push(a);
      else addrsMore = true;
      addrCount++;
    }
  }
  return [slice.metadata.name, slice.addressType, listWithMore(ports, portsMore, portCount, max), listWithMore(addrs, addrsMore, addrCount, max), age];
}

function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  const list = [...roles].sort(compareCodePoints);
  return list.length === 0 ? '<none>' : list.join(',');
}

function nodeCells(node: Node, wide: boolean, age: string): string[] {
  const status: string[] = [];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready !== undefined) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (loose(node.spec)['unschedulable'] === true) status.push('SchedulingDisabled');
  const info = loose(loose(node.status)['nodeInfo']);
  const cells = [node.metadata.name, status.join(','), nodeRoles(node), age, str(info['kubeletVersion']) ?? KIND_NODE_INFO.kubeletVersion];
  if (wide) {
    const addr = (type: string): string => node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
    cells.push(
      addr('InternalIP'),
      addr('ExternalIP'),
      str(info['osImage']) ?? KIND_NODE_INFO.osImage,
      str(info['kernelVersion']) ?? KIND_NODE_INFO.kernelVersion,
      str(info['containerRuntimeVersion']) ?? KIND_NODE_INFO.containerRuntimeVersion,
    );
  }
  return cells;
}

// ---------------------------------------------------------------------------------------------
// Generic output

const TYPE_META: Readonly<Record<KubectlResource, { apiVersion: string; kind: string; namePrefix: string; namespaced: boolean }>> = {
  pods: { apiVersion: 'v1', kind: 'Pod', namePrefix: 'pod', namespaced: true },
  services: { apiVersion: 'v1', kind: 'Service', namePrefix: 'service', namespaced: true },
  endpoints: { apiVersion: 'v1', kind: 'Endpoints', namePrefix: 'endpoints', namespaced: true },
  endpointslices: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namePrefix: 'endpointslice.discovery.k8s.io', namespaced: true },
  nodes: { apiVersion: 'v1', kind: 'Node', namePrefix: 'node', namespaced: false },
};

/** A JSON copy of `v` with every object's keys sorted by `cmp` (undefined members dropped). */
function sortedJson(v: unknown, cmp: (a: string, b: string) => number): JsonValue {
  if (v === null || typeof v !== 'object') return v as JsonValue;
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : sortedJson(x, cmp)));
  const out: Record<string, JsonValue> = {};
  for (const k of Object.keys(v).sort(cmp)) {
    const x = (v as Loose)[k];
    if (x !== undefined) out[k] = sortedJson(x, cmp);
  }
  return out;
}

/** Go's json.MarshalIndent(…, "", "    ") text of already-sorted JSON data (HTML-safe escapes). */
function goJson(v: JsonValue): string {
  return JSON.stringify(v, null, 4).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** The object as the API server would report it: apiVersion, kind and namespace filled in. */
function asServed(resource: KubectlResource, obj: KubectlObject): Loose {
  const meta = TYPE_META[resource];
  const metadata = meta.namespaced ? { ...obj.metadata, namespace: nsOf(obj) } : obj.metadata;
  return { ...obj, apiVersion: obj.apiVersion ?? meta.apiVersion, kind: obj.kind ?? meta.kind, metadata };
}

function listOf(resource: KubectlResource, objs: readonly KubectlObject[]): Loose {
  return { apiVersion: 'v1', items: objs.map((o) => asServed(resource, o)), kind: 'List', metadata: { resourceVersion: '' } };
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** `kubectl get RESOURCE [-n NS | -A] [-o FORMAT]`: the text kubectl prints, the stream it prints it on, and its exit status. */
export function kubectlGetResult(resource: KubectlResource | string, state: KubectlState, opts: KubectlGetOptions = {}): KubectlGetResult {
  const res = kubectlResource(resource);
  if (res === null) return { text: `error: the server doesn't have a resource type "${resource}"\n`, stream: 'stderr', exitCode: 1 };
  const output = opts.output ?? 'table';
  const meta = TYPE_META[res];
  const all = opts.allNamespaces === true;
  const namespace = opts.namespace === undefined || opts.namespace === '' ? 'default' : opts.namespace;
  const source: readonly KubectlObject[] =
    res === 'pods' ? state.pods : res === 'services' ? state.services : res === 'endpoints' ? state.endpoints : res === 'endpointslices' ? state.endpointSlices : state.nodes;
  const key = (o: KubectlObject): string => (meta.namespaced ? `${nsOf(o)}/${o.metadata.name}` : o.metadata.name);
  const objs = source.filter((o) => !meta.namespaced || all || nsOf(o) === namespace).sort((a, b) => compareCodePoints(key(a), key(b)));

  switch (output) {
    case 'json':
      return { text: goJson(sortedJson(listOf(res, objs), compareCodePoints)) + '\n', stream: 'stdout', exitCode: 0 };
    case 'yaml':
      return { text: toKubectlYaml(sortedJson(listOf(res, objs), compareCodePoints), { sortKeys: true }), stream: 'stdout', exitCode: 0 };
    case 'name':
      return { text: objs.map((o) => `${meta.namePrefix}/${o.metadata.name}\n`).join(''), stream: 'stdout', exitCode: 0 };
    case 'table':
    case 'wide':
      break;
  }

  if (objs.length === 0) {
    const text = meta.namespaced && !all ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n';
    return { text, stream: 'stderr', exitCode: 0 };
  }
  const wide = output === 'wide';
  const withNamespace = all && meta.namespaced;
  const ageOf = (o: KubectlObject): string => opts.age?.(o) ?? '<unknown>';
  let header: string[];
  let rows: string[][];
  switch (res) {
    case 'pods':
      header = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] : [])];
      rows = (objs as Pod[]).map((p) => podCells(p, wide, ageOf(p)));
      break;
    case 'services':
      header = ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', ...(wide ? ['SELECTOR'] : [])];
      rows = (objs as Service[]).map((s) => serviceCells(s, wide, ageOf(s)));
      break;
    case 'endpoints':
      header = ['NAME', 'ENDPOINTS', 'AGE'];
      rows = (objs as Endpoints[]).map((e) => [e.metadata.name, formatEndpoints(e), ageOf(e)]);
      break;
    case 'endpointslices':
      header = ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'];
      rows = (objs as EndpointSlice[]).map((s) => sliceCells(s, ageOf(s)));
      break;
    case 'nodes':
      header = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', ...(wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : [])];
      rows = (objs as Node[]).map((n) => nodeCells(n, wide, ageOf(n)));
      break;
  }
  if (withNamespace) {
    header = ['NAMESPACE', ...header];
    rows = rows.map((r, i) => [nsOf(objs[i]!), ...r]);
  }
  return { text: tabwrite([header, ...rows]), stream: 'stdout', exitCode: 0 };
}

/** `kubectl get` as text (whatever stream it belongs on; see {@link kubectlGetResult} for which). */
export function kubectlGet(resource: KubectlResource | string, state: KubectlState, opts: KubectlGetOptions = {}): string {
  return kubectlGetResult(resource, state, opts).text;
}

/** duration.HumanDuration: the AGE text kubectl prints for an object `seconds` old ("45s", "3m20s", "5h2m", "12d", "2y3d"). */
export function kubectlAge(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 60 * 2) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 10) {
    const rem = s % 60;
    return rem === 0 ? `${minutes}m` : `${minutes}m${rem}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(s / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}
