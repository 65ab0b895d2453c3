/**
 * The Kubernetes control plane as one deterministic state machine: the API server
 * (validation, defaults, ClusterIP and nodePort allocation, generated names and uids), the
 * controllers (Deployment, ReplicaSet, StatefulSet, DaemonSet, EndpointSlice, mirroring,
 * Endpoints), the scheduler, the kubelet and CNI IPAM (pod status and addresses), and the
 * cloud provider's load-balancer controller. Objects go in as written; what comes out is
 * what `kubectl get -o yaml` would show once everything has settled.
 *
 * Order of work, each step in object order: validate (objects with errors are rejected, as
 * the API server would); add kubeadm's built-in objects unless the file has its own of the
 * same kind, namespace and name; allocate Services; run the workload controllers (pods in
 * the file are adopted by a matching controller that lacks them); bind pods that name a node
 * or an address, then schedule the rest; hand out pod addresses; compute EndpointSlices and
 * Endpoints.
 *
 * Afterwards, faults change the state through deletePod, terminatePod, setPodReady, scale,
 * nodeDown and nodeUp, each returning the whole new state and the Services whose slices
 * changed, so the cluster can re-render kube-proxy's rules. Every random choice comes from
 * named streams of the Rng handed in, so the same file and seed give the same cluster.
 */
import type { Rng } from '../../sim/rng.ts';
import {
  LABEL_SERVICE_NAME,
  namespaceOf,
  type DaemonSet,
  type Deployment,
  type EndpointSlice,
  type Endpoints,
  type Ingress,
  type Namespace,
  type Node,
  type Pod,
  type PodCondition,
  type ReplicaSet,
  type Service,
  type StatefulSet,
} from '../model/index.ts';
import {
  BUILTIN_NAMESPACES,
  coreDnsDeployment,
  kubeDnsService,
  kubernetesEndpointSlice,
  kubernetesEndpoints,
  kubernetesService,
  namespaceObject,
} from './builtins.ts';
import type { ClusterConfig } from './cluster-config.ts';
import {
  endpointSlicesForService,
  endpointsForService,
  endpointsFromSlices,
  findPort,
  hasReadinessProbe,
  hasSelector,
  initialPodReady,
  podIP,
  podIsTerminal,
  podIsTerminating,
  podReady,
  READY_ANNOTATION,
  serviceSelectsPod,
  setPodReadyCondition,
  slicesFromEndpoints,
  LABEL_SKIP_MIRROR,
} from './endpointslices.ts';
import { buildNode, PodIpam } from './ipam.ts';
import { formatSelectorMap, matchesLabelSelector } from './labels.ts';
import { canonicalJson, generateUniqueName, randomUid } from './names.ts';
import { objectKey, refOf, type K8sObject } from './objects.ts';
import { problem, ProblemSink, type ObjectRef, type Problem } from './problems.ts';
import { Scheduler } from './scheduler.ts';
import { allocateServices, newServiceAllocators, type ServiceAllocators } from './services.ts';
import { validateObjects } from './validate.ts';
import {
  controllerOf,
  controllerRef,
  defaultPodSpec,
  LABEL_POD_TEMPLATE_HASH,
  replicaSetForDeployment,
  replicasOf,
  scaleDaemonSet,
  scaleReplicaSet,
  scaleStatefulSet,
  statefulSetOrdinal,
  type ScalableKind,
  type ScaleContext,
  type ScalePlan,
} from './workloads.ts';

/** Everything the control plane holds, as `kubectl get -o yaml` would show it. */
export interface ClusterState {
  readonly config: ClusterConfig;
  readonly nodes: readonly Node[];
  readonly namespaces: readonly Namespace[];
  /** In creation order. */
  readonly pods: readonly Pod[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  /** The legacy Endpoints view (`kubectl get endpoints`). */
  readonly endpoints: readonly Endpoints[];
  readonly ingresses: readonly Ingress[];
  readonly deployments: readonly Deployment[];
  readonly replicaSets: readonly ReplicaSet[];
  readonly statefulSets: readonly StatefulSet[];
  readonly daemonSets: readonly DaemonSet[];
  /** What the API server rejected or could not do; non-empty means the scenario is invalid. */
  readonly errors: readonly Problem[];
  /** What a user should know: pending pods, services without endpoints, adopted pods, … */
  readonly warnings: readonly Problem[];
}

/** The outcome of a runtime change (a fault). */
export interface ChangeResult {
  readonly state: ClusterState;
  /** "namespace/name" of every Service whose EndpointSlices changed, in Service order. */
  readonly changedServices: readonly string[];
  /** Why nothing happened, when the target does not exist or the change does not apply. */
  readonly problem?: Problem;
}

/** One pod and what the control plane knows about it beyond the object. */
interface PodRecord {
  pod: Pod;
  /** The key of the workload controlling it (e.g. "ReplicaSet/default/web-5d8f"), when one here does. */
  owner?: string;
  /** The readiness probe's verdict (kubewire.dev/ready, setPodReady). */
  probeReady: boolean;
  /** Whether it came from the file (as opposed to being made by a controller). */
  given: boolean;
  /** Where it stands in the initial placement order: its object's (or its workload's) index; -1 built in. */
  origin?: number;
  objectIndex?: number;
  /** The node the scheduler counts it on (spec.nodeName once bound). */
  bound?: string;
  /** The address written in the file's status.podIP, reserved when the pod was bound. */
  reservedIP?: string;
  /** Whether the kubelet started it (it has an address and phase Running). */
  started?: boolean;
  /** Why it is not running yet (unschedulable, node down, no address left). */
  pending?: string;
  /** It can never run (an error was reported: unknown node, unusable address). */
  failed?: boolean;
}

/** One workload and where it came from. */
interface WorkloadRecord<T> {
  obj: T;
  objectIndex?: number;
}

type Indexed<T> = { obj: T; objectIndex?: number };

/**
 * Lookups over the pod records that would otherwise scan all of them once per workload or per
 * new pod (quadratic at 150,000 pods): records by owner and orphans by namespace, both in
 * records order, pod names per namespace, and which records a Deployment could recover its
 * ReplicaSet from. Appends keep it current; anything that may reorder or remove records
 * (the placement sort, a removal) invalidates it, and the next lookup rebuilds it.
 */
class RecordIndex {
  private byOwner = new Map<string, PodRecord[]>();
  private orphans = new Map<string, PodRecord[]>();
  private names = new Map<string, number>();
  /** "ns\0deployment" → records whose controller is ReplicaSet `<deployment>-<their pod-template-hash>`. */
  private byHashedOwner = new Map<string, PodRecord[]>();
  private valid = false;

  constructor(private readonly records: () => readonly PodRecord[]) {}

  /** Forgets everything; the next lookup rebuilds from the records. */
  invalidate(): void {
    this.valid = false;
  }

  /** A record appended at the end of the records. */
  added(r: PodRecord): void {
    if (this.valid) this.insert(r);
  }

  /**
   * A record of `ns` got `r.owner` set (adoption; `before` is its hashedOwnerKey before its
   * ownerReferences changed): it moves from the orphans to its owner's list.
   */
  adopted(r: PodRecord, ns: string, before: string | undefined): void {
    if (!this.valid) return;
    const list = this.orphans.get(ns);
    const i = list === undefined ? -1 : list.indexOf(r);
    if (i >= 0) list!.splice(i, 1);
    const owned = this.byOwner.get(r.owner!);
    if (owned !== undefined && owned.length > 0) {
      this.valid = false; // the new member may not belong at the end: rebuild in records order
      return;
    }
    push(this.byOwner, r.owner!, r);
    if (hashedOwnerKey(r.pod) !== before) this.valid = false; // it gained a ReplicaSet controller: recompute that index too
  }

  private ensure(): void {
    if (this.valid) return;
    this.byOwner = new Map();
    this.orphans = new Map();
    this.names = new Map();
    this.byHashedOwner = new Map();
    this.valid = true;
    for (const r of this.records()) this.insert(r);
  }

  private insert(r: PodRecord): void {
    const ns = namespaceOf(r.pod.metadata);
    if (r.owner === undefined) push(this.orphans, ns, r);
    else push(this.byOwner, r.owner, r);
    const nk = `${ns}\u0000${r.pod.metadata.name}`;
    this.names.set(nk, (this.names.get(nk) ?? 0) + 1);
    const hk = hashedOwnerKey(r.pod);
    if (hk !== undefined) push(this.byHashedOwner, hk, r);
  }

  /** The records a workload owns, in records order. */
  owned(key: string): readonly PodRecord[] {
    this.ensure();
    return this.byOwner.get(key) ?? [];
  }

  /** The records of a namespace that no workload here owns, in records order. */
  orphansIn(ns: string): readonly PodRecord[] {
    this.ensure();
    return this.orphans.get(ns) ?? [];
  }

  /** Whether a pod of this name exists in the namespace. */
  nameTaken(ns: string, name: string): boolean {
    this.ensure();
    return this.names.has(`${ns}\u0000${name}`);
  }

  /** Whether some record's controller is a ReplicaSet named `<deployment>-<its pod-template-hash>`. */
  hasHashedOwner(ns: string, deployment: string): boolean {
    this.ensure();
    return this.byHashedOwner.has(`${ns}\u0000${deployment}`);
  }
}

/** "ns\0deployment" when a pod's controller is ReplicaSet `<deployment>-<pod-template-hash label>`. */
function hashedOwnerKey(pod: Pod): string | undefined {
  const c = controllerOf(pod.metadata);
  const hash = pod.metadata.labels?.[LABEL_POD_TEMPLATE_HASH];
  if (c?.kind !== 'ReplicaSet' || hash === undefined || !c.name.endsWith(`-${hash}`)) return undefined;
  return `${namespaceOf(pod.metadata)}\u0000${c.name.slice(0, c.name.length - hash.length - 1)}`;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [v]);
  else l.push(v);
}

const NOT_FOUND = (kind: string, ns: string | undefined, name: string): Problem =>
  problem({ kind, ...(ns === undefined ? {} : { namespace: ns }), name }, [], `NotFound: ${kind.toLowerCase()}s "${name}" not found`);

/** "namespace/name". */
function nsName(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * Runs the control plane over a cluster's objects and returns the settled state. Shorthand
 * for `new ControlPlane(config, objects, rng).state`.
 */
export function reconcile(config: ClusterConfig, objects: readonly K8sObject[], rng: Rng): ClusterState {
  return new ControlPlane(config, objects, rng).state;
}

/** The control plane of one cluster: reconciles objects once, then applies runtime changes. */
export class ControlPlane {
  private readonly sink = new ProblemSink();
  private readonly alloc: ServiceAllocators;
  private readonly ipam: PodIpam;
  private readonly scheduler: Scheduler;
  private readonly nodeIsUp = new Map<string, boolean>();
  private nodes: Node[] = [];
  private readonly namespaces: Namespace[] = [];
  private services: Indexed<Service>[] = [];
  private records: PodRecord[] = [];
  private readonly index = new RecordIndex(() => this.records);
  private readonly deployments = new Map<string, WorkloadRecord<Deployment>>();
  private readonly replicaSets = new Map<string, WorkloadRecord<ReplicaSet>>();
  private readonly statefulSets = new Map<string, WorkloadRecord<StatefulSet>>();
  private readonly daemonSets = new Map<string, WorkloadRecord<DaemonSet>>();
  private readonly ingresses: Ingress[] = [];
  /** EndpointSlices written in the file (or built in), passed through untouched. */
  private readonly givenSlices: Indexed<EndpointSlice>[] = [];
  /** Endpoints written in the file (or built in). */
  private readonly givenEndpoints: Indexed<Endpoints>[] = [];
  /** Slices the controllers made, per Service key, kept so names survive updates. */
  private controllerSlices = new Map<string, EndpointSlice[]>();
  private slicesOut: EndpointSlice[] = [];
  private endpointsOut: Endpoints[] = [];
  private current!: ClusterState;
  /** The slice digests of the last commit, per Service key. */
  private digests: Map<string, string> | undefined;

  /** Reconciles `objects` (as the loader parsed them) on a cluster configured by `config`. */
  constructor(
    readonly config: ClusterConfig,
    objects: readonly K8sObject[],
    private readonly rng: Rng,
  ) {
    this.alloc = newServiceAllocators(config, rng);
    this.ipam = new PodIpam(config.nodes);
    for (const n of config.nodes) this.nodeIsUp.set(n.name, true);
    this.nodes = config.nodes.map((n) => buildNode(n, this.uid('Node', undefined, n.name)));

    // 1. Validation: rejected objects go no further.
    for (const p of validateObjects(objects)) this.sink.all.push(p);
    const rejected = new Set(this.sink.errors.map((p) => p.objectIndex).filter((i): i is number => i !== undefined));
    const accepted: { obj: K8sObject; index: number }[] = [];
    const names = new Set(objects.map((o) => (typeof o.metadata?.name === 'string' ? objectKey(o.kind, refOf(o).namespace, o.metadata.name) : '')));
    objects.forEach((obj, index) => {
      if (rejected.has(index)) return;
      const named = this.completeName(obj, (n) => names.has(objectKey(obj.kind, refOf(obj).namespace, n)));
      names.add(objectKey(obj.kind, refOf(named).namespace, named.metadata.name));
      accepted.push({ obj: named, index });
    });

    // Nodes written in the file add their labels to the configured node of the same name.
    for (const { obj, index } of accepted) if (obj.kind === 'Node') this.mergeNode(obj, index);
    this.scheduler = new Scheduler(this.nodes);

    // 2. Namespaces, built-in objects and their replacements.
    const inFile = new Set(accepted.map(({ obj }) => objectKey(obj.kind, refOf(obj).namespace, refOf(obj).name)));
    const has = (kind: string, ns: string | undefined, name: string): boolean => inFile.has(objectKey(kind, ns, name));
    for (const name of BUILTIN_NAMESPACES) {
      if (!has('Namespace', undefined, name)) this.namespaces.push(namespaceObject(name, this.uid('Namespace', undefined, name)));
    }
    for (const { obj } of accepted) {
      if (obj.kind === 'Namespace') {
        const name = obj.metadata.name;
        this.namespaces.push({
          ...obj,
          apiVersion: 'v1',
          metadata: { ...obj.metadata, uid: obj.metadata.uid ?? this.uid('Namespace', undefined, name), labels: { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name } },
          status: { phase: 'Active' },
        });
      }
    }
    for (const { obj, index } of accepted) {
      if (obj.kind === 'Namespace' || obj.kind === 'Node') continue;
      const ns = namespaceOf(obj.metadata);
      if (!this.namespaces.some((n) => n.metadata.name === ns)) {
        this.sink.warn(refOf(obj), ['metadata', 'namespace'], `namespace "${ns}" is not declared; kubewire creates it (a real API server would answer: namespaces "${ns}" not found)`, index);
        this.namespaces.push(namespaceObject(ns, this.uid('Namespace', undefined, ns)));
      }
    }

    const apiServerIP = config.nodes[0]?.ip ?? '';
    const builtinServices: Service[] = [];
    if (!has('Service', 'default', 'kubernetes')) builtinServices.push(kubernetesService());
    if (!has('Service', 'kube-system', 'kube-dns')) builtinServices.push(kubeDnsService());
    if (!has('EndpointSlice', 'default', 'kubernetes')) {
      const slice = kubernetesEndpointSlice(apiServerIP);
      this.givenSlices.push({ obj: { ...slice, metadata: { ...slice.metadata, uid: this.uid('EndpointSlice', 'default', 'kubernetes') } } });
    }
    if (!has('Endpoints', 'default', 'kubernetes')) {
      const ep = kubernetesEndpoints(apiServerIP);
      this.givenEndpoints.push({ obj: { ...ep, metadata: { ...ep.metadata, uid: this.uid('Endpoints', 'default', 'kubernetes') } } });
    }
    const dnsPodsInFile = accepted.some(({ obj }) => namespaceOf(obj.metadata) === 'kube-system' && podLabelsOf(obj)?.['k8s-app'] === 'kube-dns');
    const builtinWorkloads: K8sObject[] = [];
    if (!has('Deployment', 'kube-system', 'coredns') && !dnsPodsInFile) builtinWorkloads.push({ ...coreDnsDeployment(), kind: 'Deployment' });

    // 3. Services.
    const svcInputs = [
      ...builtinServices.map((service): { service: Service; objectIndex?: number } => ({ service })),
      ...accepted.filter((a) => a.obj.kind === 'Service').map((a) => ({ service: a.obj as Service, objectIndex: a.index })),
    ].map(({ service, objectIndex }) => ({
      service: { ...service, metadata: { ...service.metadata, namespace: namespaceOf(service.metadata), uid: service.metadata.uid ?? this.uid('Service', namespaceOf(service.metadata), service.metadata.name) } },
      ...(objectIndex === undefined ? {} : { objectIndex }),
    }));
    this.services = allocateServices(config, svcInputs, this.alloc, this.sink).map((s) => ({ obj: s.service, ...(s.objectIndex === undefined ? {} : { objectIndex: s.objectIndex }) }));

    // 4. Slices, Endpoints and Ingresses as written.
    for (const { obj, index } of accepted) {
      if (obj.kind === 'EndpointSlice') this.givenSlices.push({ obj, objectIndex: index });
      else if (obj.kind === 'Endpoints') this.givenEndpoints.push({ obj: { ...obj, metadata: { ...obj.metadata, namespace: namespaceOf(obj.metadata) } }, objectIndex: index });
      else if (obj.kind === 'Ingress') this.ingresses.push({ ...obj, apiVersion: 'networking.k8s.io/v1', metadata: { ...obj.metadata, namespace: namespaceOf(obj.metadata), uid: obj.metadata.uid ?? this.uid('Ingress', namespaceOf(obj.metadata), obj.metadata.name) } });
    }

    // 5. Pods as written, then the workload controllers (built-ins first), adopting or creating pods.
    for (const { obj, index } of accepted) if (obj.kind === 'Pod') this.admitGivenPod(obj, index);
    const workloads = [...builtinWorkloads.map((obj) => ({ obj, index: undefined as number | undefined })), ...accepted];
    const linked = this.linkDeployments(workloads);
    for (const { obj, index } of workloads) {
      switch (obj.kind) {
        case 'Deployment':
          this.addDeployment(obj, index, linked.byDeployment.get(objectKey('Deployment', namespaceOf(obj.metadata), obj.metadata.name)) ?? []);
          break;
        case 'ReplicaSet':
          if (!linked.replicaSets.has(objectKey('ReplicaSet', namespaceOf(obj.metadata), obj.metadata.name))) this.addReplicaSet(obj, index);
          break;
        case 'StatefulSet':
          this.addStatefulSet(obj, index);
          break;
        case 'DaemonSet':
          this.addDaemonSet(obj, index);
          break;
        default:
          break;
      }
    }

    // 6. Scheduling and addresses in object order (built-ins first), then the endpoint controllers.
    const order = new Map(this.records.map((r, i) => [r, i] as const));
    this.records.sort((a, b) => (a.origin ?? Infinity) - (b.origin ?? Infinity) || order.get(a)! - order.get(b)!);
    this.index.invalidate();
    this.startPods(this.records);
    this.checkIngresses();
    this.computeEndpoints();
    this.warnAboutServices();
    this.current = this.snapshot();
  }

  /** The current state. */
  get state(): ClusterState {
    return this.current;
  }

  /** The pod of a namespace and name, if it exists. */
  findPod(namespace: string, name: string): Pod | undefined {
    return this.records.find((r) => namespaceOf(r.pod.metadata) === namespace && r.pod.metadata.name === name)?.pod;
  }

  // ---------------------------------------------------------------------------------------
  // Runtime changes (faults).

  /**
   * Deletes a pod at once (as `kubectl delete pod --grace-period=0 --force`): its address is
   * freed, and its controller, if any, makes a replacement (a ReplicaSet a new name, a
   * StatefulSet the same name, a DaemonSet a new pod on the same node).
   */
  deletePod(namespace: string, name: string): ChangeResult {
    const rec = this.findRecord(namespace, name);
    if (rec === undefined) return this.unchanged(NOT_FOUND('Pod', namespace, name));
    this.removeRecord(rec);
    if (rec.owner !== undefined) this.reconcileOwner(rec.owner);
    return this.commit();
  }

  /**
   * Begins a graceful deletion: the pod gets a deletionTimestamp and stays, terminating
   * (serving while ready, never ready in slices), until deletePod removes it; its controller
   * starts a replacement at once, as the ReplicaSet controller does (a StatefulSet waits for
   * the name to be free). `deletionTimestamp` is RFC 3339 text; pass the simulated time.
   */
  terminatePod(namespace: string, name: string, deletionTimestamp = '1970-01-01T00:00:30Z'): ChangeResult {
    const rec = this.findRecord(namespace, name);
    if (rec === undefined) return this.unchanged(NOT_FOUND('Pod', namespace, name));
    if (podIsTerminating(rec.pod)) return this.unchanged();
    rec.pod = { ...rec.pod, metadata: { ...rec.pod.metadata, deletionTimestamp } };
    if (rec.owner !== undefined) this.reconcileOwner(rec.owner);
    return this.commit();
  }

  /** Sets a pod's readiness-probe verdict (its Ready condition follows while its node is up). */
  setPodReady(namespace: string, name: string, ready: boolean): ChangeResult {
    const rec = this.findRecord(namespace, name);
    if (rec === undefined) return this.unchanged(NOT_FOUND('Pod', namespace, name));
    rec.probeReady = ready;
    this.refreshReadiness(rec);
    return this.commit();
  }

  /**
   * Sets a workload's replica count, as `kubectl scale` does; the controller creates or
   * deletes pods (see workloads.ts for which go first). A Deployment scales its ReplicaSet.
   */
  scale(kind: ScalableKind, namespace: string, name: string, replicas: number): ChangeResult {
    const key = objectKey(kind, namespace, name);
    if (!Number.isInteger(replicas) || replicas < 0) {
      return this.unchanged(problem({ kind, namespace, name }, ['spec', 'replicas'], `Invalid value: ${replicas}: must be greater than or equal to 0`));
    }
    if (kind === 'Deployment') {
      const d = this.deployments.get(key);
      if (d === undefined) return this.unchanged(NOT_FOUND(kind, namespace, name));
      d.obj = { ...d.obj, spec: { ...d.obj.spec, replicas } };
      const rsKey = this.currentReplicaSet(key);
      const rs = rsKey === undefined ? undefined : this.replicaSets.get(rsKey);
      if (rs !== undefined && rsKey !== undefined) {
        rs.obj = withReplicas(rs.obj, replicas);
        this.reconcileOwner(rsKey);
      }
    } else if (kind === 'ReplicaSet') {
      const rs = this.replicaSets.get(key);
      if (rs === undefined) return this.unchanged(NOT_FOUND(kind, namespace, name));
      rs.obj = withReplicas(rs.obj, replicas);
      this.reconcileOwner(key);
    } else {
      const sts = this.statefulSets.get(key);
      if (sts === undefined) return this.unchanged(NOT_FOUND(kind, namespace, name));
      sts.obj = { ...sts.obj, spec: { ...sts.obj.spec, replicas } };
      this.reconcileOwner(key);
    }
    return this.commit();
  }

  /**
   * A node stops responding: its Ready condition turns Unknown and the node lifecycle
   * controller marks its pods not ready (they stay bound to it: eviction comes minutes
   * later in Kubernetes and is not modelled). New pods are not scheduled there.
   */
  nodeDown(name: string): ChangeResult {
    return this.setNode(name, false);
  }

  /** A node that was down reports again: its pods are ready again if their probes pass. */
  nodeUp(name: string): ChangeResult {
    return this.setNode(name, true);
  }

  private setNode(name: string, up: boolean): ChangeResult {
    const cfg = this.config.nodes.find((n) => n.name === name);
    if (cfg === undefined) return this.unchanged(NOT_FOUND('Node', undefined, name));
    if (this.nodeIsUp.get(name) === up) return this.unchanged();
    this.nodeIsUp.set(name, up);
    this.nodes = this.nodes.map((n) => (n.metadata.name === name ? { ...n, status: { ...n.status, conditions: buildNode(cfg, '', up).status!.conditions! } } : n));
    this.scheduler.setNodes(this.nodes);
    for (const r of this.records) if (r.pod.spec.nodeName === name) this.refreshReadiness(r);
    if (up) this.startPods(this.records.filter((r) => r.started !== true));
    return this.commit();
  }

  // ---------------------------------------------------------------------------------------
  // Admission and workloads.

  /** Takes the labels of a Node written in the file into the configured node of that name. */
  private mergeNode(node: Node, index: number): void {
    const name = node.metadata.name;
    const ref: ObjectRef = { kind: 'Node', name };
    const cfg = this.config.nodes.find((n) => n.name === name);
    if (cfg === undefined) {
      this.sink.warn(ref, ['metadata', 'name'], `not one of the cluster's nodes (${this.config.nodes.map((n) => n.name).join(', ')}): ignored; list it under spec.cluster.nodes`, index);
      return;
    }
    const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip !== undefined && ip !== cfg.ip) this.sink.warn(ref, ['status', 'addresses'], `InternalIP ${ip} differs from the configured ${cfg.ip}; the configured address is used`, index);
    if (node.spec?.podCIDR !== undefined && node.spec.podCIDR !== cfg.podCIDR) this.sink.warn(ref, ['spec', 'podCIDR'], `podCIDR ${node.spec.podCIDR} differs from the configured ${cfg.podCIDR}; the configured subnet is used`, index);
    this.nodes = this.nodes.map((n) =>
      n.metadata.name === name ? { ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, ...node.metadata.labels }, ...(node.metadata.uid === undefined ? {} : { uid: node.metadata.uid }) } } : n,
    );
  }

  /** A deterministic uid for a new object, from the stream `uids/<kind>/<ns>/<name>`. */
  private uid(kind: string, namespace: string | undefined, name: string): string {
    return randomUid(this.rng.stream(`uids/${kind}/${namespace ?? ''}/${name}`));
  }

  /** Completes `metadata.generateName` into a name, as the API server does on create. */
  private completeName(obj: K8sObject, taken: (name: string) => boolean): K8sObject {
    if (typeof obj.metadata.name === 'string' && obj.metadata.name !== '') return obj;
    const prefix = obj.metadata.generateName ?? '';
    const ns = namespaceOf(obj.metadata);
    const name = generateUniqueName(prefix, this.rng.stream(`names/${ns}/${prefix}`), taken);
    return { ...obj, metadata: { ...obj.metadata, name } } as K8sObject;
  }

  /** Takes in a pod written in the file: defaults, uid, probe verdict. */
  private admitGivenPod(pod: Pod, index: number): void {
    const ns = namespaceOf(pod.metadata);
    const admitted: Pod = {
      ...pod,
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { ...pod.metadata, namespace: ns, uid: pod.metadata.uid ?? this.uid('Pod', ns, pod.metadata.name) },
      spec: defaultPodSpec(pod.spec),
    };
    const rec: PodRecord = { pod: admitted, probeReady: initialPodReady(pod), given: true, objectIndex: index, origin: index };
    this.warnReadyAnnotation(rec);
    this.records.push(rec);
    this.index.added(rec);
  }

  /** Warns when a pod is marked not ready but has no readiness probe (Kubernetes would call it ready). */
  private warnReadyAnnotation(rec: PodRecord): void {
    if (rec.pod.metadata.annotations?.[READY_ANNOTATION] === 'false' && !hasReadinessProbe(rec.pod)) {
      this.sink.warn(
        { kind: 'Pod', namespace: namespaceOf(rec.pod.metadata), name: rec.pod.metadata.name },
        ['metadata', 'annotations', READY_ANNOTATION],
        'the pod declares no readinessProbe, so in Kubernetes it would be ready as soon as it runs; kubewire keeps it not ready as the annotation says',
        rec.objectIndex,
      );
    }
  }

  /** For each Deployment, the ReplicaSets written in the file that it owns (by ownerReference or adoption). */
  private linkDeployments(workloads: readonly { obj: K8sObject; index: number | undefined }[]): { byDeployment: Map<string, Indexed<ReplicaSet>[]>; replicaSets: Set<string> } {
    const out = new Map<string, Indexed<ReplicaSet>[]>();
    const replicaSets = new Set<string>();
    const deployments = workloads.filter((w) => w.obj.kind === 'Deployment').map((w) => w.obj as Deployment);
    for (const { obj, index } of workloads) {
      if (obj.kind !== 'ReplicaSet') continue;
      const ns = namespaceOf(obj.metadata);
      const ctrl = controllerOf(obj.metadata);
      const owner = deployments.find(
        (d) =>
          namespaceOf(d.metadata) === ns &&
          (ctrl !== undefined
            ? ctrl.kind === 'Deployment' && ctrl.name === d.metadata.name
            : matchesLabelSelector(d.spec.selector, obj.metadata.labels)),
      );
      if (owner === undefined) continue;
      const key = objectKey('Deployment', ns, owner.metadata.name);
      out.set(key, [...(out.get(key) ?? []), { obj, ...(index === undefined ? {} : { objectIndex: index }) }]);
      replicaSets.add(objectKey('ReplicaSet', ns, obj.metadata.name));
    }
    return { byDeployment: out, replicaSets };
  }

  /** A Deployment: its ReplicaSet (written, recovered from its pods' owner, or new), then that ReplicaSet's pods. */
  private addDeployment(d: Deployment, index: number | undefined, owned: readonly Indexed<ReplicaSet>[]): void {
    const ns = namespaceOf(d.metadata);
    const key = objectKey('Deployment', ns, d.metadata.name);
    const deployment: Deployment = { ...d, apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...d.metadata, namespace: ns, uid: d.metadata.uid ?? this.uid('Deployment', ns, d.metadata.name) }, spec: { ...d.spec, replicas: replicasOf(d) } };
    this.deployments.set(key, { obj: deployment, ...(index === undefined ? {} : { objectIndex: index }) });
    if (owned.length > 0) {
      for (const rs of owned) {
        const ctrl = controllerOf(rs.obj.metadata);
        const withOwner: ReplicaSet =
          ctrl === undefined ? { ...rs.obj, metadata: { ...rs.obj.metadata, ownerReferences: [...(rs.obj.metadata.ownerReferences ?? []), controllerRef('apps/v1', 'Deployment', d.metadata.name, deployment.metadata.uid)] } } : rs.obj;
        this.addReplicaSet(withOwner, rs.objectIndex);
      }
      return;
    }
    // A dump may hold the pods but not their ReplicaSet: take its name and hash from them.
    const fromPods = !this.index.hasHashedOwner(ns, d.metadata.name) ? undefined : this.records.find((r) => {
      const c = controllerOf(r.pod.metadata);
      const hash = r.pod.metadata.labels?.[LABEL_POD_TEMPLATE_HASH];
      return c?.kind === 'ReplicaSet' && hash !== undefined && c.name === `${d.metadata.name}-${hash}` && namespaceOf(r.pod.metadata) === ns && !this.replicaSets.has(objectKey('ReplicaSet', ns, c.name));
    });
    let rs = replicaSetForDeployment(deployment, deployment.metadata.uid, '');
    const hash = fromPods?.pod.metadata.labels?.[LABEL_POD_TEMPLATE_HASH];
    if (hash !== undefined) {
      const labels = { ...rs.metadata.labels, [LABEL_POD_TEMPLATE_HASH]: hash };
      rs = {
        ...rs,
        metadata: { ...rs.metadata, name: `${d.metadata.name}-${hash}`, labels },
        spec: { ...rs.spec, selector: { ...rs.spec.selector, matchLabels: { ...rs.spec.selector.matchLabels, [LABEL_POD_TEMPLATE_HASH]: hash } }, template: { ...rs.spec.template, metadata: { ...rs.spec.template.metadata, labels } } },
      };
    }
    rs = { ...rs, metadata: { ...rs.metadata, uid: this.uid('ReplicaSet', ns, rs.metadata.name) } };
    this.addReplicaSet(rs, undefined);
  }

  /** A ReplicaSet: adopt matching orphans, then create or delete pods to reach its replicas. */
  private addReplicaSet(rs: ReplicaSet, index: number | undefined): void {
    const ns = namespaceOf(rs.metadata);
    const key = objectKey('ReplicaSet', ns, rs.metadata.name);
    const obj: ReplicaSet = { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { ...rs.metadata, namespace: ns, uid: rs.metadata.uid ?? this.uid('ReplicaSet', ns, rs.metadata.name) }, spec: { ...rs.spec, replicas: replicasOf(rs) } };
    this.replicaSets.set(key, { obj, ...(index === undefined ? {} : { objectIndex: index }) });
    this.adopt('ReplicaSet', obj.metadata, (pod) => matchesLabelSelector(obj.spec.selector, pod.metadata.labels));
    this.reconcileOwner(key);
  }

  private addStatefulSet(sts: StatefulSet, index: number | undefined): void {
    const ns = namespaceOf(sts.metadata);
    const key = objectKey('StatefulSet', ns, sts.metadata.name);
    const obj: StatefulSet = { ...sts, apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { ...sts.metadata, namespace: ns, uid: sts.metadata.uid ?? this.uid('StatefulSet', ns, sts.metadata.name) }, spec: { ...sts.spec, replicas: replicasOf(sts) } };
    this.statefulSets.set(key, { obj, ...(index === undefined ? {} : { objectIndex: index }) });
    this.adopt('StatefulSet', obj.metadata, (pod) => matchesLabelSelector(obj.spec.selector, pod.metadata.labels) && statefulSetOrdinal(obj, pod.metadata.name) !== null);
    this.reconcileOwner(key);
  }

  private addDaemonSet(ds: DaemonSet, index: number | undefined): void {
    const ns = namespaceOf(ds.metadata);
    const key = objectKey('DaemonSet', ns, ds.metadata.name);
    const obj: DaemonSet = { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { ...ds.metadata, namespace: ns, uid: ds.metadata.uid ?? this.uid('DaemonSet', ns, ds.metadata.name) } };
    this.daemonSets.set(key, { obj, ...(index === undefined ? {} : { objectIndex: index }) });
    this.adopt('DaemonSet', obj.metadata, (pod) => matchesLabelSelector(obj.spec.selector, pod.metadata.labels));
    this.reconcileOwner(key);
  }

  /**
   * Claims pods for a controller: those whose controller ownerReference names it, and
   * orphans (no controller) in its namespace that its selector matches, which it adopts
   * by adding itself as their controller, as Kubernetes' ControllerRefManager does.
   */
  private adopt(kind: 'ReplicaSet' | 'StatefulSet' | 'DaemonSet', meta: { readonly name: string; readonly namespace?: string; readonly uid?: string }, selects: (pod: Pod) => boolean): void {
    const ns = namespaceOf(meta);
    const key = objectKey(kind, ns, meta.name);
    // The orphans of the namespace in records order: what a walk over every record would visit.
    for (const r of [...this.index.orphansIn(ns)]) {
      const ctrl = controllerOf(r.pod.metadata);
      if (ctrl !== undefined) {
        if (ctrl.kind === kind && ctrl.name === meta.name) {
          r.owner = key;
          this.index.adopted(r, ns, hashedOwnerKey(r.pod));
        }
        continue;
      }
      if (!selects(r.pod) || podIsTerminal(r.pod)) continue;
      const before = hashedOwnerKey(r.pod);
      r.owner = key;
      r.pod = { ...r.pod, metadata: { ...r.pod.metadata, ownerReferences: [...(r.pod.metadata.ownerReferences ?? []), controllerRef('apps/v1', kind, meta.name, meta.uid)] } };
      this.index.adopted(r, ns, before);
      this.sink.warn(
        { kind: 'Pod', namespace: ns, name: r.pod.metadata.name },
        ['metadata', 'labels'],
        `adopted by ${kind} ${ns}/${meta.name}: its labels match that ${kind}'s selector and it has no controller, so the ${kind} counts it as one of its replicas`,
        r.objectIndex,
      );
    }
  }

  /** The ReplicaSet a Deployment scales: the one with the most replicas, the newest on ties. */
  private currentReplicaSet(deploymentKey: string): string | undefined {
    let best: string | undefined;
    let bestReplicas = -1;
    for (const [k, rs] of this.replicaSets) {
      if (this.deploymentOf(rs.obj) !== deploymentKey) continue;
      const n = replicasOf(rs.obj);
      if (n >= bestReplicas) {
        best = k;
        bestReplicas = n;
      }
    }
    return best;
  }

  /** The key of the Deployment controlling a ReplicaSet, if one is here. */
  private deploymentOf(rs: ReplicaSet): string | undefined {
    const c = controllerOf(rs.metadata);
    if (c?.kind !== 'Deployment') return undefined;
    const key = objectKey('Deployment', namespaceOf(rs.metadata), c.name);
    return this.deployments.has(key) ? key : undefined;
  }

  /** Runs one workload controller: creates or deletes pods to match its spec. */
  private reconcileOwner(key: string): void {
    const owned = this.index.owned(key).filter((r) => !podIsTerminating(r.pod) && !podIsTerminal(r.pod));
    const pods = owned.map((r) => r.pod);
    const recordOf = new Map(owned.map((r) => [r.pod, r] as const));
    const [kind, ns, name] = key.split('/') as [string, string, string];
    const ctx: ScaleContext = {
      names: this.rng.stream(`names/${ns}/${name}`),
      nameTaken: (n) => this.index.nameTaken(ns, n),
      uid: (n) => this.uid('Pod', ns, n),
      isReady: (p) => {
        const r = recordOf.get(p);
        return r !== undefined && this.effectiveReady(r);
      },
    };
    let plan: ScalePlan;
    if (kind === 'ReplicaSet') {
      const rs = this.replicaSets.get(key)!.obj;
      plan = scaleReplicaSet(rs, pods, replicasOf(rs), ctx);
    } else if (kind === 'StatefulSet') {
      const sts = this.statefulSets.get(key)!.obj;
      // A terminating StatefulSet pod still holds its name: wait for it to go.
      const terminating = this.index.owned(key).filter((r) => podIsTerminating(r.pod)).map((r) => r.pod.metadata.name);
      plan = scaleStatefulSet(sts, pods, replicasOf(sts), ctx);
      plan = { create: plan.create.filter((p) => !terminating.includes(p.metadata.name)), remove: plan.remove };
    } else {
      const ds = this.daemonSets.get(key)!.obj;
      const nodes = this.nodes.map((n) => ({ name: n.metadata.name, labels: n.metadata.labels ?? {} }));
      plan = scaleDaemonSet(ds, pods, nodes, ctx);
    }
    for (const name of plan.remove) {
      const rec = owned.find((r) => r.pod.metadata.name === name);
      if (rec === undefined) continue;
      if (rec.given) {
        this.sink.warn(
          { kind: 'Pod', namespace: ns, name },
          [],
          `deleted by ${kind} ${ns}/${key.split('/')[2]}: it has more pods than it wants`,
          rec.objectIndex,
        );
      }
      this.removeRecord(rec);
    }
    const origin = this.workloadOrigin(key);
    const created: PodRecord[] = plan.create.map((pod) => ({ pod, owner: key, probeReady: initialPodReady(pod), given: false, ...(origin === undefined ? {} : { origin }) }));
    this.records.push(...created);
    for (const r of created) this.index.added(r);
    if (this.current !== undefined) this.startPods(created);
  }

  /** The object index of a workload (a Deployment's for its ReplicaSets; -1 built in), for placement order; undefined at runtime. */
  private workloadOrigin(key: string): number | undefined {
    if (this.current !== undefined) return undefined;
    const [kind] = key.split('/');
    const rec = kind === 'ReplicaSet' ? this.replicaSets.get(key) : kind === 'StatefulSet' ? this.statefulSets.get(key) : this.daemonSets.get(key);
    if (rec === undefined) return undefined;
    if (rec.objectIndex !== undefined) return rec.objectIndex;
    if (kind === 'ReplicaSet') {
      const d = this.deploymentOf(rec.obj as ReplicaSet);
      const drec = d === undefined ? undefined : this.deployments.get(d);
      if (drec !== undefined) return drec.objectIndex ?? -1;
    }
    return -1;
  }

  /** Removes a pod: frees its address and its place on the node. */
  private removeRecord(rec: PodRecord): void {
    this.records = this.records.filter((r) => r !== rec);
    this.index.invalidate();
    const node = rec.bound;
    if (node === undefined) return;
    this.scheduler.unbind(node, rec.owner);
    const ip = rec.started === true ? podIP(rec.pod) : rec.reservedIP;
    if (ip !== undefined && rec.pod.spec.hostNetwork !== true) this.ipam.node(node)?.release(ip);
  }

  private findRecord(namespace: string, name: string): PodRecord | undefined {
    return this.records.find((r) => namespaceOf(r.pod.metadata) === namespace && r.pod.metadata.name === name);
  }

  // ---------------------------------------------------------------------------------------
  // Scheduler and kubelet.

  /**
   * Places and starts pods: first those bound by a written nodeName or podIP (their
   * addresses reserved), then the scheduler places the rest in order, then the kubelet of
   * each placed pod's node gives it an address (hostNetwork pods: the node's) and a Running
   * status. Pods that cannot run yet stay Pending with the reason, and are retried when a
   * node comes back.
   */
  private startPods(recs: readonly PodRecord[]): void {
    const nodeIp = new Map(this.config.nodes.map((n) => [n.name, n.ip] as const));
    // Immutable parts shared by every pod of a node (150,000 pods need not hold 150,000 copies).
    const hostIPsOf = new Map<string, readonly { readonly ip: string }[]>();
    const refOfPod = (r: PodRecord): ObjectRef => ({ kind: 'Pod', namespace: namespaceOf(r.pod.metadata), name: r.pod.metadata.name });
    const fail = (r: PodRecord, path: (string | number)[], message: string, reason: string): void => {
      this.sink.error(refOfPod(r), path, message, r.objectIndex);
      r.failed = true;
      r.pending = reason;
      r.pod = { ...r.pod, status: { ...r.pod.status, phase: 'Pending' } };
      delete (r.pod.status as { podIP?: string }).podIP;
    };
    const toSchedule: PodRecord[] = [];
    // Bound pods first: a written nodeName, a DaemonSet's node, or a written address.
    for (const r of recs) {
      if (r.failed === true || r.started === true || r.bound !== undefined || podIsTerminal(r.pod)) continue;
      const hostNet = r.pod.spec.hostNetwork === true;
      let node = r.pod.spec.nodeName === '' ? undefined : r.pod.spec.nodeName;
      const ip = r.given ? podIP(r.pod) : undefined;
      if (node !== undefined && !this.scheduler.hasNode(node)) {
        fail(r, ['spec', 'nodeName'], `Invalid value: "${node}": no such node (the cluster has ${this.config.nodes.map((n) => n.name).join(', ')})`, `node "${node}" does not exist`);
        continue;
      }
      if (node === undefined && ip !== undefined) {
        node = hostNet ? this.config.nodes.find((n) => n.ip === ip)?.name : this.ipam.nodeFor(ip);
        if (node === undefined) {
          fail(r, ['status', 'podIP'], `Invalid value: "${ip}": not inside any node's pod subnet (${this.config.nodes.map((n) => `${n.name} ${n.podCIDR}`).join(', ')})`, 'its address is outside every node');
          continue;
        }
      }
      if (node === undefined) {
        toSchedule.push(r);
        continue;
      }
      if (ip !== undefined && !hostNet) {
        const pool = this.ipam.node(node)!;
        const res = pool.reserve(ip);
        if (res !== 'ok') {
          const why = res === 'taken' ? `Duplicate value: "${ip}": another pod on ${node} has this address` : `Invalid value: "${ip}": not inside ${node}'s pod subnet ${pool.podCIDR}`;
          fail(r, ['status', 'podIP'], why, `address ${ip} is not usable`);
          continue;
        }
        r.reservedIP = ip;
      }
      if (ip !== undefined && hostNet && nodeIp.get(node) !== ip) {
        this.sink.warn(refOfPod(r), ['status', 'podIP'], `a hostNetwork pod has its node's address (${nodeIp.get(node)}), not "${ip}"`, r.objectIndex);
      }
      this.scheduler.bind(node, r.owner);
      r.bound = node;
      r.pod = { ...r.pod, spec: { ...r.pod.spec, nodeName: node } };
    }
    // The scheduler places the rest, in order.
    for (const r of toSchedule) {
      const res = this.scheduler.schedule(r.pod.spec.nodeSelector, r.owner);
      if (res.node === null) {
        if (r.pending !== res.reason) {
          this.sink.warn(refOfPod(r), r.pod.spec.nodeSelector === undefined ? [] : ['spec', 'nodeSelector'], `Pending: ${res.reason} It gets no address and is nobody's endpoint.`, r.objectIndex);
        }
        r.pending = res.reason;
        r.pod = { ...r.pod, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: res.reason }] } };
        continue;
      }
      r.bound = res.node;
      r.pod = { ...r.pod, spec: { ...r.pod.spec, nodeName: res.node } };
    }
    // The kubelet starts them: an address, then status.
    for (const r of recs) {
      if (r.failed === true || r.started === true || r.bound === undefined) continue;
      const node = r.bound;
      const hostIP = nodeIp.get(node)!;
      if (this.nodeIsUp.get(node) === false) {
        r.pending = `node ${node} is down`;
        r.pod = { ...r.pod, status: { phase: 'Pending', hostIP, hostIPs: [{ ip: hostIP }], conditions: [{ type: 'PodScheduled', status: 'True' }] } };
        continue;
      }
      let ip = r.pod.spec.hostNetwork === true ? hostIP : r.reservedIP;
      if (ip === undefined) {
        const got = this.ipam.node(node)!.allocate();
        if (got === null) {
          const reason = `no free address left in ${node}'s pod subnet`;
          if (r.pending !== reason) this.sink.warn(refOfPod(r), [], `Pending: ${reason}`, r.objectIndex);
          r.pending = reason;
          continue;
        }
        ip = got;
      }
      delete r.pending;
      r.started = true;
      const kept = (r.pod.status?.conditions ?? []).filter((c) => !STARTED_CONDITIONS.some((b) => b.type === c.type) && c.type !== 'Ready' && c.type !== 'ContainersReady');
      let hostIPs = hostIPsOf.get(node);
      if (hostIPs === undefined) hostIPsOf.set(node, (hostIPs = Object.freeze([Object.freeze({ ip: hostIP })])));
      r.pod = {
        ...r.pod,
        status: { ...r.pod.status, phase: 'Running', hostIP, hostIPs, podIP: ip, podIPs: [{ ip }], conditions: kept.length === 0 ? STARTED_CONDITIONS : [...STARTED_CONDITIONS, ...kept] },
      };
      this.refreshReadiness(r);
    }
  }

  /** Whether a pod counts as ready: running, probe passing, node up. */
  private effectiveReady(r: PodRecord): boolean {
    if (r.started !== true) return false;
    const node = r.bound;
    return r.probeReady && (node === undefined || this.nodeIsUp.get(node) !== false);
  }

  /** Writes a running pod's Ready condition from its probe verdict and its node. */
  private refreshReadiness(r: PodRecord): void {
    if (r.started !== true) return;
    r.pod = setPodReadyCondition(r.pod, this.effectiveReady(r));
  }

  // ---------------------------------------------------------------------------------------
  // Endpoints.

  /** Recomputes every Service's EndpointSlices and the Endpoints view. */
  private computeEndpoints(): void {
    const index = podLabelIndex(this.records.map((r) => r.pod));
    const candidates = (svc: Service): readonly Pod[] => {
      const [first] = Object.entries(svc.spec.selector ?? {});
      return first === undefined ? [] : index.withLabel(namespaceOf(svc.metadata), first[0], first[1]);
    };
    const nodes = new Map(this.nodes.map((n) => [n.metadata.name, n] as const));
    const slices: EndpointSlice[] = [];
    const endpoints: Endpoints[] = [];
    const nextControllerSlices = new Map<string, EndpointSlice[]>();
    const usedGivenSlices = new Set<Indexed<EndpointSlice>>();
    const usedGivenEndpoints = new Set<Indexed<Endpoints>>();
    const sliceNames = new Map<string, Set<string>>();
    const noteName = (ns: string, name: string): void => {
      let s = sliceNames.get(ns);
      if (s === undefined) sliceNames.set(ns, (s = new Set()));
      s.add(name);
    };
    for (const g of this.givenSlices) noteName(namespaceOf(g.obj.metadata), g.obj.metadata.name);
    for (const list of this.controllerSlices.values()) for (const s of list) noteName(namespaceOf(s.metadata), s.metadata.name);

    for (const { obj: svc } of this.services) {
      const ns = namespaceOf(svc.metadata);
      const name = svc.metadata.name;
      const key = nsName(ns, name);
      const naming = {
        names: this.rng.stream(`endpointslices/${ns}/${name}`),
        nameTaken: (n: string) => sliceNames.get(ns)?.has(n) === true,
        uid: (n: string) => this.uid('EndpointSlice', ns, n),
      };
      const given = this.givenSlices.filter((g) => namespaceOf(g.obj.metadata) === ns && g.obj.metadata.labels?.[LABEL_SERVICE_NAME] === name);
      const givenEp = this.givenEndpoints.find((g) => namespaceOf(g.obj.metadata) === ns && g.obj.metadata.name === name);
      for (const g of given) usedGivenSlices.add(g);
      if (givenEp !== undefined) usedGivenEndpoints.add(givenEp);
      if (svc.spec.type === 'ExternalName') {
        slices.push(...given.map((g) => g.obj));
        continue;
      }
      if (given.length > 0 || givenEp !== undefined) {
        // Pinned: the file says what the endpoints are.
        slices.push(...given.map((g) => g.obj));
        if (givenEp !== undefined && givenEp.obj.metadata.labels?.[LABEL_SKIP_MIRROR] !== 'true' && given.length === 0) {
          const mirrored = slicesFromEndpoints(givenEp.obj, this.controllerSlices.get(key) ?? [], naming);
          for (const s of mirrored) noteName(ns, s.metadata.name);
          nextControllerSlices.set(key, mirrored);
          slices.push(...mirrored);
        }
        endpoints.push(givenEp !== undefined ? givenEp.obj : endpointsFromSlices(svc, given.map((g) => g.obj)));
        continue;
      }
      if (!hasSelector(svc)) continue;
      const pods = candidates(svc);
      const made = endpointSlicesForService(svc, pods, nodes, this.controllerSlices.get(key) ?? [], naming);
      for (const s of made) noteName(ns, s.metadata.name);
      nextControllerSlices.set(key, made);
      slices.push(...made);
      endpoints.push(endpointsForService(svc, pods));
    }
    // Slices and Endpoints of Services that do not exist: kept as written (kube-proxy ignores them).
    for (const g of this.givenSlices) if (!usedGivenSlices.has(g)) slices.push(g.obj);
    for (const g of this.givenEndpoints) if (!usedGivenEndpoints.has(g)) endpoints.push(g.obj);
    this.controllerSlices = nextControllerSlices;
    this.slicesOut = slices;
    this.endpointsOut = endpoints;
  }

  /** Warnings a user needs about Services once: given slices for missing Services, no pods selected, named ports missing. */
  private warnAboutServices(): void {
    const svcExists = (ns: string, name: string): boolean => this.services.some((s) => namespaceOf(s.obj.metadata) === ns && s.obj.metadata.name === name);
    for (const g of this.givenSlices) {
      if (g.objectIndex === undefined) continue;
      const ns = namespaceOf(g.obj.metadata);
      const svc = g.obj.metadata.labels?.[LABEL_SERVICE_NAME];
      if (svc !== undefined && svc !== '' && !svcExists(ns, svc)) {
        this.sink.warn(refOf({ ...g.obj, kind: 'EndpointSlice' }), ['metadata', 'labels', LABEL_SERVICE_NAME], `no Service "${svc}" in namespace "${ns}": kube-proxy ignores this slice`, g.objectIndex);
      }
    }
    for (const g of this.givenEndpoints) {
      if (g.objectIndex === undefined) continue;
      const ns = namespaceOf(g.obj.metadata);
      const svc = this.services.find((s) => namespaceOf(s.obj.metadata) === ns && s.obj.metadata.name === g.obj.metadata.name);
      const ref = refOf({ ...g.obj, kind: 'Endpoints' });
      if (svc === undefined) this.sink.warn(ref, ['metadata', 'name'], `no Service "${g.obj.metadata.name}" in namespace "${ns}": these Endpoints are not mirrored to EndpointSlices`, g.objectIndex);
    }
    const pods = this.records.map((r) => r.pod);
    const index = podLabelIndex(pods);
    for (const { obj: svc, objectIndex } of this.services) {
      if (objectIndex === undefined || !hasSelector(svc) || svc.spec.type === 'ExternalName') continue;
      const ns = namespaceOf(svc.metadata);
      const ref: ObjectRef = { kind: 'Service', namespace: ns, name: svc.metadata.name };
      const given = this.givenSlices.some((g) => namespaceOf(g.obj.metadata) === ns && g.obj.metadata.labels?.[LABEL_SERVICE_NAME] === svc.metadata.name);
      const givenEp = this.givenEndpoints.some((g) => g.objectIndex !== undefined && namespaceOf(g.obj.metadata) === ns && g.obj.metadata.name === svc.metadata.name);
      // Only pods of the namespace carrying some selector label with its value can be selected
      // or be near misses; the index yields them in pod order.
      const entries = Object.entries(svc.spec.selector!);
      const [firstKey, firstValue] = entries[0]!;
      const selected = index.withLabel(ns, firstKey, firstValue).filter((p) => serviceSelectsPod(svc, p));
      if (given || givenEp) {
        if (selected.length > 0) {
          this.sink.warn(ref, ['spec', 'selector'], `the file gives this Service's ${given ? 'EndpointSlices' : 'Endpoints'}, and kubewire uses them as written; the ${selected.length} pod(s) its selector matches are not added`, objectIndex);
        }
        continue;
      }
      const selector = svc.spec.selector!;
      // Near misses: pods in the namespace that carry some selector labels but lack others.
      const near = index.withAnyLabel(ns, entries).filter((p) => {
        if (namespaceOf(p.metadata) !== ns || serviceSelectsPod(svc, p)) return false;
        const labels = p.metadata.labels ?? {};
        const keys = Object.keys(selector);
        return keys.some((k) => labels[k] === selector[k]) && keys.some((k) => !(k in labels));
      });
      for (const p of near) {
        const missing = Object.keys(selector).filter((k) => !(k in (p.metadata.labels ?? {})));
        this.sink.warn(ref, ['spec', 'selector'], `Pod ${p.metadata.name} is not an endpoint: it lacks the label${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (a Service selects only pods that carry every selector label: ${formatSelectorMap(selector)})`, objectIndex);
      }
      if (selected.length === 0 && near.length === 0) {
        this.sink.warn(ref, ['spec', 'selector'], `selects no pods: no Pod in namespace "${ns}" has the labels ${formatSelectorMap(selector)}, so the Service has no endpoints`, objectIndex);
      }
      (svc.spec.ports ?? []).forEach((sp, i) => {
        if (typeof sp.targetPort !== 'string') return;
        const lacking = selected.filter((p) => podIP(p) !== undefined && findPort(p, sp) === null).map((p) => p.metadata.name);
        if (lacking.length > 0) {
          this.sink.warn(ref, ['spec', 'ports', i, 'targetPort'], `no container port named "${sp.targetPort}" (${sp.protocol ?? 'TCP'}) on ${lacking.join(', ')}: ${lacking.length > 1 ? 'those pods are' : 'that pod is'} left out of this port's endpoints`, objectIndex);
        }
      });
    }
  }

  /** Warns about Ingress backends that name a missing Service or port. */
  private checkIngresses(): void {
    this.ingresses.forEach((ing) => {
      const ns = namespaceOf(ing.metadata);
      const ref: ObjectRef = { kind: 'Ingress', namespace: ns, name: ing.metadata.name };
      const check = (b: Ingress['spec']['defaultBackend'], path: (string | number)[]): void => {
        const s = b?.service;
        if (s === undefined) return;
        const svc = this.services.find((x) => namespaceOf(x.obj.metadata) === ns && x.obj.metadata.name === s.name);
        if (svc === undefined) {
          this.sink.warn(ref, [...path, 'service', 'name'], `no Service "${s.name}" in namespace "${ns}"`);
          return;
        }
        const ok = (svc.obj.spec.ports ?? []).some((p) => (s.port.number !== undefined && p.port === s.port.number) || (s.port.name !== undefined && p.name === s.port.name));
        if (!ok) this.sink.warn(ref, [...path, 'service', 'port'], `Service "${s.name}" has no port ${s.port.number ?? `named "${s.port.name}"`}`);
      };
      check(ing.spec.defaultBackend, ['spec', 'defaultBackend']);
      (ing.spec.rules ?? []).forEach((r, i) => (r.http?.paths ?? []).forEach((p, j) => check(p.backend, ['spec', 'rules', i, 'http', 'paths', j, 'backend'])));
    });
  }

  // ---------------------------------------------------------------------------------------
  // State.

  /** Recomputes endpoints and the snapshot, reporting which Services' slices changed. */
  private commit(): ChangeResult {
    const before = this.digests ?? this.sliceDigests();
    this.computeEndpoints();
    this.current = this.snapshot();
    const after = this.sliceDigests();
    this.digests = after;
    const changed: string[] = [];
    for (const { obj } of this.services) {
      const key = nsName(namespaceOf(obj.metadata), obj.metadata.name);
      if (before.get(key) !== after.get(key)) changed.push(key);
    }
    return { state: this.current, changedServices: changed };
  }

  private unchanged(p?: Problem): ChangeResult {
    return p === undefined ? { state: this.current, changedServices: [] } : { state: this.current, changedServices: [], problem: p };
  }

  /** A digest of each Service's slices, to tell which changed. */
  private sliceDigests(): Map<string, string> {
    const out = new Map<string, string[]>();
    for (const s of this.slicesOut) {
      const key = nsName(namespaceOf(s.metadata), s.metadata.labels?.[LABEL_SERVICE_NAME] ?? '');
      out.set(key, [...(out.get(key) ?? []), canonicalJson(s)]);
    }
    return new Map([...out].map(([k, v]) => [k, v.join('\n')]));
  }

  /** The workload statuses, as the controllers report them. */
  private workloadCounts(key: string): { replicas: number; ready: number } {
    let replicas = 0;
    let ready = 0;
    for (const r of this.index.owned(key)) {
      if (podIsTerminating(r.pod) || podIsTerminal(r.pod)) continue;
      replicas++;
      if (this.effectiveReady(r)) ready++;
    }
    return { replicas, ready };
  }

  private snapshot(): ClusterState {
    const replicaStatus = (replicas: number, ready: number) => ({
      observedGeneration: 1,
      replicas,
      ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
    });
    const replicaSets = [...this.replicaSets.entries()].map(([k, rs]) => {
      const c = this.workloadCounts(k);
      return { ...rs.obj, status: { ...replicaStatus(c.replicas, c.ready), fullyLabeledReplicas: c.replicas } as ReplicaSet['status'] };
    });
    const rsOfDeployment = new Map<string, string[]>();
    for (const [rk, rs] of this.replicaSets) {
      const dk = this.deploymentOf(rs.obj);
      if (dk !== undefined) push(rsOfDeployment, dk, rk);
    }
    const deployments = [...this.deployments.entries()].map(([k, d]) => {
      let replicas = 0;
      let ready = 0;
      for (const rk of rsOfDeployment.get(k) ?? []) {
        const c = this.workloadCounts(rk);
        replicas += c.replicas;
        ready += c.ready;
      }
      return { ...d.obj, status: { ...replicaStatus(replicas, ready), updatedReplicas: replicas } };
    });
    const statefulSets = [...this.statefulSets.entries()].map(([k, s]) => {
      const c = this.workloadCounts(k);
      return { ...s.obj, status: { ...replicaStatus(c.replicas, c.ready), currentReplicas: c.replicas, updatedReplicas: c.replicas } };
    });
    const daemonSets = [...this.daemonSets.entries()].map(([k, d]) => {
      const c = this.workloadCounts(k);
      const desired = this.nodes.filter((n) => {
        const sel = d.obj.spec.template.spec.nodeSelector;
        const labels: Record<string, string> = { 'kubernetes.io/hostname': n.metadata.name, ...n.metadata.labels };
        return sel === undefined || Object.entries(sel).every(([kk, vv]) => labels[kk] === vv);
      }).length;
      return {
        ...d.obj,
        status: { observedGeneration: 1, currentNumberScheduled: c.replicas, desiredNumberScheduled: desired, numberMisscheduled: 0, numberReady: c.ready, numberAvailable: c.ready, updatedNumberScheduled: c.replicas },
      };
    });
    return {
      config: this.config,
      nodes: [...this.nodes],
      namespaces: [...this.namespaces],
      pods: this.records.map((r) => r.pod),
      services: this.services.map((s) => s.obj),
      endpointSlices: [...this.slicesOut],
      endpoints: [...this.endpointsOut],
      ingresses: [...this.ingresses],
      deployments,
      replicaSets,
      statefulSets,
      daemonSets,
      errors: this.sink.errors,
      warnings: this.sink.warnings,
    };
  }
}

/** The labels of the pods an object stands for (a Pod's own, a workload's template's). */
function podLabelsOf(obj: K8sObject): Readonly<Record<string, string>> | undefined {
  switch (obj.kind) {
    case 'Pod':
      return obj.metadata.labels;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
      return obj.spec?.template?.metadata?.labels;
    default:
      return undefined;
  }
}

/** The conditions the kubelet sets on a pod it started, before readiness (shared, frozen). */
const STARTED_CONDITIONS: readonly PodCondition[] = Object.freeze([
  Object.freeze({ type: 'PodReadyToStartContainers', status: 'True' }),
  Object.freeze({ type: 'Initialized', status: 'True' }),
  Object.freeze({ type: 'PodScheduled', status: 'True' }),
] as PodCondition[]);

/** Pods by namespace and label, each list in the order given. */
interface PodLabelIndex {
  /** The pods of `ns` labelled key=value. */
  withLabel(ns: string, key: string, value: string): readonly Pod[];
  /** The pods of `ns` carrying at least one of the key=value pairs, in the order given. */
  withAnyLabel(ns: string, pairs: readonly (readonly [string, string])[]): Pod[];
}

function podLabelIndex(pods: readonly Pod[]): PodLabelIndex {
  const index = new Map<string, Map<string, Pod[]>>();
  let order: Map<Pod, number> | null = null;
  pods.forEach((pod) => {
    const ns = namespaceOf(pod.metadata);
    let byLabel = index.get(ns);
    if (byLabel === undefined) index.set(ns, (byLabel = new Map()));
    for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) push(byLabel, `${k}=${v}`, pod);
  });
  const withLabel = (ns: string, key: string, value: string): readonly Pod[] => index.get(ns)?.get(`${key}=${value}`) ?? [];
  return {
    withLabel,
    withAnyLabel(ns, pairs) {
      if (pairs.length === 1) return [...withLabel(ns, pairs[0]![0], pairs[0]![1])];
      const seen = new Set<Pod>();
      for (const [k, v] of pairs) for (const p of withLabel(ns, k, v)) seen.add(p);
      const at = (order ??= new Map(pods.map((p, i) => [p, i] as const)));
      return [...seen].sort((a, b) => at.get(a)! - at.get(b)!);
    },
  };
}

/** A ReplicaSet with a new replica count (and the Deployment controller's annotation updated). */
function withReplicas(rs: ReplicaSet, replicas: number): ReplicaSet {
  const ann = rs.metadata.annotations;
  const annotations = ann?.['deployment.kubernetes.io/desired-replicas'] === undefined ? ann : { ...ann, 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas * 0.25)) };
  return { ...rs, metadata: { ...rs.metadata, ...(annotations === undefined ? {} : { annotations }) }, spec: { ...rs.spec, replicas } };
}

/** Re-exported for callers that check readiness of pods in a state. */
