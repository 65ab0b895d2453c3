/**
 * The EndpointSlice controller, the EndpointSlice mirroring controller and the legacy
 * Endpoints controller, as pure functions (upstream: k8s.io/endpointslice reconciler and
 * utils, pkg/controller/endpointslicemirroring, pkg/controller/endpoint).
 *
 * Membership: a Pod backs a Service when it is in the Service's namespace, carries EVERY
 * label of the selector with the same value, is not terminal (Succeeded/Failed), and has an
 * IP. Terminating pods (deletionTimestamp set) stay in slices with terminating=true.
 *
 * Ports are resolved per pod: a numeric targetPort as written, a named one to the
 * containerPort of THAT pod with that name and the Service port's protocol. A pod lacking
 * the name has that port left out of its port set, and pods are grouped by port set into
 * separate slices, as the real controller does (so two pods naming "http" on different
 * container ports land in two slices).
 *
 * Readiness (kubewire's rule): a pod's Ready condition in status.conditions is the truth
 * (absent = ready, see podReadyFromStatus). The control plane writes it when a pod starts:
 * the annotation `kubewire.dev/ready: "false"` (or "true") on a pod or pod template stands
 * for the result of its readiness probe and wins over conditions written in the file.
 * Faults flip readiness at runtime with setPodReadyCondition. Conditions in a slice:
 * serving = pod ready; terminating = deletionTimestamp set;
 * ready = publishNotReadyAddresses || (serving && !terminating).
 */
import type { RandomStream } from '../../sim/rng.ts';
import {
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  namespaceOf,
  podReadyFromStatus,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  type Endpoints,
  type Node,
  type Pod,
  type PodCondition,
  type Service,
  type ServicePort,
} from '../model/index.ts';
import { matchesSelectorMap } from './labels.ts';
import { generateUniqueName } from './names.ts';
import { isHeadless } from './services.ts';

/** The annotation that stands for a pod's readiness-probe result ("true" or "false"). */
export const READY_ANNOTATION = 'kubewire.dev/ready';
/** The managed-by value of slices the EndpointSlice controller writes. */
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
/** The managed-by value of slices the mirroring controller writes from Endpoints. */
export const ENDPOINTSLICE_MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
/** The label marking a headless Service's slices and Endpoints. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** The label that stops Endpoints from being mirrored to EndpointSlices. */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
/** How many endpoints one slice holds (kube-controller-manager --max-endpoints-per-slice). */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** Whether a pod is ready: its Ready condition (absent = ready). */
export function podReady(pod: Pod): boolean {
  return podReadyFromStatus(pod);
}

/**
 * The readiness a pod starts with: the kubewire.dev/ready annotation when present ("false"
 * = its readiness probe fails), else its Ready condition as written (absent = ready).
 */
export function initialPodReady(pod: Pod): boolean {
  const a = pod.metadata.annotations?.[READY_ANNOTATION];
  if (a === 'false') return false;
  if (a === 'true') return true;
  return podReadyFromStatus(pod);
}

/** Whether any container of the pod declares a readinessProbe. */
export function hasReadinessProbe(pod: Pod): boolean {
  return pod.spec.containers.some((c) => c.readinessProbe !== undefined);
}

/**
 * The pod with its Ready and ContainersReady conditions set, as the kubelet writes them
 * when a readiness probe starts or stops passing. Other conditions are kept.
 */
export function setPodReadyCondition(pod: Pod, ready: boolean): Pod {
  // The common case — a started pod's three conditions, then Ready — gives one shared list.
  const current = pod.status?.conditions;
  if (ready && current !== undefined && current.length === 3 && STARTED_TYPES.every((t, i) => current[i]!.type === t && current[i]!.status === 'True' && Object.keys(current[i]!).length === 2)) {
    return { ...pod, status: { ...pod.status, conditions: STARTED_READY_CONDITIONS } };
  }
  const ready1: PodCondition = ready
    ? { type: 'Ready', status: 'True' }
    : { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]` };
  const cr: PodCondition = { ...ready1, type: 'ContainersReady' };
  const others = (pod.status?.conditions ?? []).filter((c) => c.type !== 'Ready' && c.type !== 'ContainersReady');
  const conditions: PodCondition[] = [];
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  const byType = new Map<string, PodCondition>([...others.map((c) => [c.type, c] as const), ['Ready', ready1], ['ContainersReady', cr]]);
  for (const t of order) if (byType.has(t)) conditions.push(byType.get(t)!);
  for (const c of others) if (!order.includes(c.type)) conditions.push(c);
  return { ...pod, status: { ...pod.status, conditions } };
}

const STARTED_TYPES = ['PodReadyToStartContainers', 'Initialized', 'PodScheduled'] as const;
/** What the general path below makes of STARTED_TYPES plus Ready, as one frozen list. */
const STARTED_READY_CONDITIONS: readonly PodCondition[] = Object.freeze(
  ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => Object.freeze({ type, status: 'True' }) as PodCondition),
);

/** Whether a pod is terminal (Succeeded or Failed): never an endpoint. */
export function podIsTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Whether a pod is terminating (its deletion has begun). */
export function podIsTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== '';
}

/** The pod's IPv4 address, if it has one. */
export function podIP(pod: Pod): string | undefined {
  const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
  return ip === undefined || ip === '' ? undefined : ip;
}

/** Whether a Service selects pods (an absent or empty selector selects none: its endpoints are managed by hand). */
export function hasSelector(service: Service): boolean {
  return service.spec.selector !== undefined && Object.keys(service.spec.selector).length > 0;
}

/** Whether a pod is selected by a Service: same namespace and every selector label matches. */
export function serviceSelectsPod(service: Service, pod: Pod): boolean {
  return (
    hasSelector(service) &&
    namespaceOf(pod.metadata) === namespaceOf(service.metadata) &&
    matchesSelectorMap(service.spec.selector!, pod.metadata.labels)
  );
}

/**
 * The container port a Service port reaches on a pod (podutil.FindPort): a numeric
 * targetPort as is (absent → the Service port), a named one looked up among the pod's
 * containers by name and protocol; null when the pod has no such port.
 */
export function findPort(pod: Pod, sp: ServicePort): number | null {
  const target = sp.targetPort === undefined || sp.targetPort === 0 || sp.targetPort === '' ? sp.port : sp.targetPort;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const proto = sp.protocol ?? 'TCP';
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === proto) return p.containerPort;
  }
  return null;
}

/** The slice ports a pod has for a Service, in Service port order. */
export function endpointPortsFor(service: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of service.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === null) continue;
    out.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol === undefined ? {} : { appProtocol: sp.appProtocol }) });
  }
  return out;
}

/** A key identifying a port set, independent of order. */
function portSetKey(ports: readonly EndpointPort[]): string {
  return ports
    .map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port ?? ''}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

/** Whether the endpoint gets the pod's hostname (ShouldSetHostname): spec.hostname set and spec.subdomain = the Service's name. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  return (
    pod.spec.hostname !== undefined &&
    pod.spec.hostname !== '' &&
    pod.spec.subdomain === service.metadata.name &&
    namespaceOf(pod.metadata) === namespaceOf(service.metadata)
  );
}

/** The slice endpoint of a pod (podToEndpoint). */
export function podToEndpoint(pod: Pod, service: Service, node: Node | undefined): Endpoint {
  const serving = podReady(pod);
  const terminating = podIsTerminating(pod);
  const ready = service.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const zone = node?.metadata.labels?.['topology.kubernetes.io/zone'];
  return {
    addresses: [podIP(pod)!],
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, service) ? { hostname: pod.spec.hostname! } : {}),
    ...(pod.spec.nodeName === undefined ? {} : { nodeName: pod.spec.nodeName }),
    targetRef: { kind: 'Pod', namespace: namespaceOf(pod.metadata), name: pod.metadata.name, ...(pod.metadata.uid === undefined ? {} : { uid: pod.metadata.uid }) },
    ...(zone === undefined || zone === '' ? {} : { zone }),
  };
}

/** The labels the controller puts on a Service's slices: the Service's own, plus its bookkeeping. */
function sliceLabels(service: Service, managedBy: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) {
    if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY && k !== LABEL_HEADLESS) labels[k] = v;
  }
  if (isHeadless(service)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = service.metadata.name;
  labels[LABEL_MANAGED_BY] = managedBy;
  return labels;
}

/** Where the controller gets names and ids for the slices it creates. */
export interface SliceNaming {
  /** The stream generated slice names are drawn from (`endpointslices/<ns>/<service>`). */
  readonly names: RandomStream;
  /** Whether a slice name is already used in the namespace. */
  readonly nameTaken: (name: string) => boolean;
  /** A fresh uid for a new slice. */
  readonly uid: (sliceName: string) => string;
}

/**
 * The EndpointSlices of a Service with a selector: its pods grouped by resolved port set, at
 * most 100 per slice; a placeholder slice (no endpoints, no ports) when there are none.
 * Slices of the previous round (`prev`) with the same port set keep their names and uids,
 * as the controller updates slices in place; new ones get `<service>-<5 chars>`.
 * `pods` must be in creation order; `nodes` maps node names to Nodes (for zones).
 */
export function endpointSlicesForService(
  service: Service,
  pods: readonly Pod[],
  nodes: ReadonlyMap<string, Node>,
  prev: readonly EndpointSlice[],
  naming: SliceNaming,
): EndpointSlice[] {
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  for (const pod of pods) {
    if (!serviceSelectsPod(service, pod) || podIsTerminal(pod) || podIP(pod) === undefined) continue;
    const nodeName = pod.spec.nodeName;
    const node = nodeName === undefined ? undefined : nodes.get(nodeName);
    if (node === undefined && service.spec.publishNotReadyAddresses !== true) continue;
    const ports = endpointPortsFor(service, pod);
    const key = portSetKey(ports);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(pod, service, node));
  }

  const ns = namespaceOf(service.metadata);
  const labels = sliceLabels(service, ENDPOINTSLICE_CONTROLLER);
  const owner = {
    apiVersion: 'v1',
    kind: 'Service',
    name: service.metadata.name,
    ...(service.metadata.uid === undefined ? {} : { uid: service.metadata.uid }),
    controller: true,
    blockOwnerDeletion: true,
  };
  // Previous slices by port-set key, in order, for reuse.
  const reusable = new Map<string, EndpointSlice[]>();
  for (const s of prev) {
    const key = portSetKey(s.ports ?? []);
    reusable.set(key, [...(reusable.get(key) ?? []), s]);
  }
  const made = new Set<string>();
  const prefix = `${service.metadata.name}-`;
  const newSlice = (key: string, ports: readonly EndpointPort[], endpoints: readonly Endpoint[]): EndpointSlice => {
    const old = reusable.get(key)?.shift();
    let name: string;
    let uid: string | undefined;
    if (old !== undefined) {
      name = old.metadata.name;
      uid = old.metadata.uid;
    } else {
      name = generateUniqueName(prefix, naming.names, (n) => made.has(n) || naming.nameTaken(n));
      uid = naming.uid(name);
    }
    made.add(name);
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name,
        generateName: prefix,
        namespace: ns,
        ...(uid === undefined ? {} : { uid }),
        labels,
        ownerReferences: [owner],
      },
      addressType: 'IPv4',
      endpoints,
      ...(ports.length === 0 ? {} : { ports }),
    };
  };

  const out: EndpointSlice[] = [];
  for (const [key, g] of groups) {
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      out.push(newSlice(key, g.ports, g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE)));
    }
  }
  if (out.length === 0) out.push(newSlice(portSetKey([]), [], []));
  return out;
}

/**
 * The legacy Endpoints object of a Service with a selector, as the Endpoints controller
 * writes it: named as the Service; pods grouped into subsets by port set (a pod with no
 * resolvable port is left out); ready pods under `addresses`, others under
 * `notReadyAddresses`; terminating pods left out unless publishNotReadyAddresses.
 * Addresses are sorted by IP, as RepackSubsets sorts them.
 */
export function endpointsForService(service: Service, pods: readonly Pod[]): Endpoints {
  const ns = namespaceOf(service.metadata);
  const groups = new Map<string, { ports: EndpointPort[]; ready: Address[]; notReady: Address[] }>();
  const publish = service.spec.publishNotReadyAddresses === true;
  for (const pod of pods) {
    if (!serviceSelectsPod(service, pod) || podIsTerminal(pod) || podIP(pod) === undefined) continue;
    if (podIsTerminating(pod) && !publish) continue;
    const ports = endpointPortsFor(service, pod);
    if (ports.length === 0 && (service.spec.ports ?? []).length > 0) continue;
    const key = portSetKey(ports);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { ports, ready: [], notReady: [] }));
    const addr: Address = {
      ip: podIP(pod)!,
      ...(shouldSetHostname(pod, service) ? { hostname: pod.spec.hostname! } : {}),
      ...(pod.spec.nodeName === undefined ? {} : { nodeName: pod.spec.nodeName }),
      targetRef: { kind: 'Pod', namespace: ns, name: pod.metadata.name },
    };
    (publish || podReady(pod) ? g.ready : g.notReady).push(addr);
  }
  const byIp = (a: Address, b: Address): number => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);
  const subsets = [...groups.values()].map((g) => ({
    ...(g.ready.length === 0 ? {} : { addresses: g.ready.sort(byIp) }),
    ...(g.notReady.length === 0 ? {} : { notReadyAddresses: g.notReady.sort(byIp) }),
    ...(g.ports.length === 0 ? {} : { ports: g.ports.map((p) => ({ ...(p.name === '' ? {} : { name: p.name! }), port: p.port!, protocol: p.protocol ?? 'TCP' })) }),
  }));
  const labels: Record<string, string> = { ...service.metadata.labels };
  if (isHeadless(service)) labels[LABEL_HEADLESS] = '';
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: service.metadata.name, namespace: ns, ...(Object.keys(labels).length === 0 ? {} : { labels }) },
    ...(subsets.length === 0 ? {} : { subsets }),
  };
}

type Address = NonNullable<NonNullable<Endpoints['subsets']>[number]['addresses']>[number];

/**
 * The EndpointSlices the mirroring controller makes from a legacy Endpoints object (for a
 * Service without a selector): one slice per distinct port set, ready addresses with
 * ready=true and notReadyAddresses with ready=false (the only condition it sets), hostname,
 * nodeName and targetRef copied. Addresses that are not IPv4 are left out.
 */
export function slicesFromEndpoints(endpoints: Endpoints, prev: readonly EndpointSlice[], naming: SliceNaming): EndpointSlice[] {
  const ns = namespaceOf(endpoints.metadata);
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Endpoint[] }>();
  for (const subset of endpoints.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' }));
    const key = portSetKey(ports);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { ports, endpoints: [] }));
    const add = (a: Address, ready: boolean): void => {
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a.ip)) return;
      g!.endpoints.push({
        addresses: [a.ip],
        conditions: { ready },
        ...(a.hostname === undefined ? {} : { hostname: a.hostname }),
        ...(a.nodeName === undefined ? {} : { nodeName: a.nodeName }),
        ...(a.targetRef === undefined ? {} : { targetRef: { ...a.targetRef } }),
      });
    };
    for (const a of subset.addresses ?? []) add(a, true);
    for (const a of subset.notReadyAddresses ?? []) add(a, false);
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(endpoints.metadata.labels ?? {})) if (k !== LABEL_SKIP_MIRROR) labels[k] = v;
  labels[LABEL_SERVICE_NAME] = endpoints.metadata.name;
  labels[LABEL_MANAGED_BY] = ENDPOINTSLICE_MIRRORING_CONTROLLER;
  const reusable = [...prev];
  const made = new Set<string>();
  const prefix = `${endpoints.metadata.name}-`;
  const out: EndpointSlice[] = [];
  for (const g of groups.values()) {
    if (g.endpoints.length === 0) continue;
    const old = reusable.shift();
    const name = old?.metadata.name ?? generateUniqueName(prefix, naming.names, (n) => made.has(n) || naming.nameTaken(n));
    const uid = old?.metadata.uid ?? naming.uid(name);
    made.add(name);
    out.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, generateName: prefix, namespace: ns, uid, labels: { ...labels } },
      addressType: 'IPv4',
      endpoints: g.endpoints,
      ...(g.ports.length === 0 ? {} : { ports: g.ports }),
    });
  }
  return out;
}

/**
 * A legacy Endpoints view of slices written in a file for a Service that has a selector
 * (a dump without pods): ready endpoints as addresses, others as notReadyAddresses,
 * terminating ones left out.
 */
export function endpointsFromSlices(service: Service, slices: readonly EndpointSlice[]): Endpoints {
  const ns = namespaceOf(service.metadata);
  const subsets: NonNullable<Endpoints['subsets']>[number][] = [];
  for (const s of slices) {
    if (s.addressType !== 'IPv4') continue;
    const ready: Address[] = [];
    const notReady: Address[] = [];
    for (const ep of s.endpoints) {
      const ip = ep.addresses[0];
      if (ip === undefined || ep.conditions?.terminating === true) continue;
      const addr: Address = {
        ip,
        ...(ep.hostname === undefined ? {} : { hostname: ep.hostname }),
        ...(ep.nodeName === undefined ? {} : { nodeName: ep.nodeName }),
        ...(ep.targetRef === undefined ? {} : { targetRef: { ...ep.targetRef } }),
      };
      (ep.conditions?.ready ?? true ? ready : notReady).push(addr);
    }
    if (ready.length + notReady.length === 0) continue;
    const ports = (s.ports ?? [])
      .filter((p) => p.port !== undefined)
      .map((p) => ({ ...(p.name === undefined || p.name === '' ? {} : { name: p.name }), port: p.port!, protocol: p.protocol ?? 'TCP' }));
    subsets.push({
      ...(ready.length === 0 ? {} : { addresses: ready }),
      ...(notReady.length === 0 ? {} : { notReadyAddresses: notReady }),
      ...(ports.length === 0 ? {} : { ports }),
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: service.metadata.name, namespace: ns, ...(service.metadata.labels === undefined ? {} : { labels: { ...service.metadata.labels } }) },
    ...(subsets.length === 0 ? {} : { subsets }),
  };
}
