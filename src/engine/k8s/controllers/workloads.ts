/**
 * The workload controllers of kube-controller-manager as pure functions: a Deployment's
 * ReplicaSet, the Pods a ReplicaSet, StatefulSet or DaemonSet creates from its template,
 * and which Pods go or come when one is scaled.
 *
 * Names, as Kubernetes makes them:
 * - Deployment d → ReplicaSet `d-<pod-template-hash>`; its selector, template and labels
 *   gain `pod-template-hash`.
 * - ReplicaSet rs → Pods `rs-<5 chars>` (generateName), drawn from the stream
 *   `names/<namespace>/<rs>`.
 * - StatefulSet s → Pods `s-0 … s-(n-1)` with spec.hostname = the pod name,
 *   spec.subdomain = serviceName, and the labels statefulset.kubernetes.io/pod-name,
 *   apps.kubernetes.io/pod-index and controller-revision-hash `s-<hash>`.
 * - DaemonSet ds → one Pod `ds-<5 chars>` per node its nodeSelector admits (stream
 *   `names/<namespace>/<ds>`), labelled controller-revision-hash and pod-template-generation.
 *
 * Scaling down follows the ReplicaSet controller's ranking (pkg/controller
 * ActivePodsWithRanks): pods not yet on a node go first, then pods not ready, then the
 * newest (kubewire has no clock: creation order stands in for creationTimestamp). A
 * StatefulSet removes its highest ordinals first; scaling up fills the lowest free ordinals.
 */
import type { RandomStream } from '../../sim/rng.ts';
import {
  namespaceOf,
  type Container,
  type DaemonSet,
  type Deployment,
  type OwnerReference,
  type Pod,
  type PodSpec,
  type PodTemplateSpec,
  type ReplicaSet,
  type StatefulSet,
  type StringMap,
} from '../model/index.ts';
import { matchesSelectorMap } from './labels.ts';
import { computeHash, generateUniqueName } from './names.ts';

/** The label the Deployment controller adds to tell its ReplicaSets apart. */
export const LABEL_POD_TEMPLATE_HASH = 'pod-template-hash';
/** The label StatefulSet and DaemonSet pods carry naming their ControllerRevision. */
export const LABEL_CONTROLLER_REVISION_HASH = 'controller-revision-hash';
/** The label naming a StatefulSet pod (usable as a Service selector). */
export const LABEL_STATEFULSET_POD_NAME = 'statefulset.kubernetes.io/pod-name';
/** The label carrying a StatefulSet pod's ordinal. */
export const LABEL_POD_INDEX = 'apps.kubernetes.io/pod-index';
/** The label carrying a DaemonSet pod's template generation. */
export const LABEL_POD_TEMPLATE_GENERATION = 'pod-template-generation';

/** A workload with its kind set (the union the controllers switch on). */
export type Workload =
  | (Deployment & { readonly kind: 'Deployment' })
  | (ReplicaSet & { readonly kind: 'ReplicaSet' })
  | (StatefulSet & { readonly kind: 'StatefulSet' })
  | (DaemonSet & { readonly kind: 'DaemonSet' });

/** The kinds that have a replica count. */
export type ScalableKind = 'Deployment' | 'ReplicaSet' | 'StatefulSet';

/** spec.replicas with the API server's default of 1. */
export function replicasOf(w: Deployment | ReplicaSet | StatefulSet): number {
  return w.spec.replicas ?? 1;
}

/** The pod-template-hash of a template (see names.ts computeHash). */
export function podTemplateHash(template: PodTemplateSpec, collisionCount = 0): string {
  return computeHash(template, collisionCount);
}

/** The ownerReference a controller puts on what it creates. */
export function controllerRef(apiVersion: string, kind: string, name: string, uid: string | undefined): OwnerReference {
  return { apiVersion, kind, name, ...(uid === undefined ? {} : { uid }), controller: true, blockOwnerDeletion: true };
}

/** The controller ownerReference of an object, if any. */
export function controllerOf(meta: { readonly ownerReferences?: readonly OwnerReference[] }): OwnerReference | undefined {
  return meta.ownerReferences?.find((r) => r.controller === true);
}

/** Defaulted containers, by the container they were made from (objects are never changed in place, so pods share them). */
const defaultedContainers = new WeakMap<Container, Container>();

/** A container with the API server's defaults: every port's protocol TCP unless written. */
function defaultContainer(c: Container): Container {
  if (c.ports === undefined) return c;
  let d = defaultedContainers.get(c);
  if (d === undefined) defaultedContainers.set(c, (d = { ...c, ports: c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) }));
  return d;
}

/** A pod spec with the API server's defaults (dnsPolicy ClusterFirst, restartPolicy Always, port protocols). */
export function defaultPodSpec(spec: PodSpec): PodSpec {
  return {
    ...spec,
    containers: (spec.containers ?? []).map(defaultContainer),
    ...(spec.initContainers === undefined ? {} : { initContainers: spec.initContainers.map(defaultContainer) }),
    dnsPolicy: spec.dnsPolicy ?? 'ClusterFirst',
    restartPolicy: spec.restartPolicy ?? 'Always',
  };
}

/**
 * The ReplicaSet the Deployment controller creates for a Deployment: named
 * `<deployment>-<pod-template-hash>`, with the hash added to its labels, selector and
 * template, and the deployment.kubernetes.io annotations of revision 1.
 */
export function replicaSetForDeployment(d: Deployment, deploymentUid: string | undefined, uid: string, collisionCount = 0): ReplicaSet {
  const hash = podTemplateHash(d.spec.template, collisionCount);
  const ns = namespaceOf(d.metadata);
  const replicas = replicasOf(d);
  const templateLabels = { ...d.spec.template.metadata?.labels, [LABEL_POD_TEMPLATE_HASH]: hash };
  const maxSurge = Math.ceil(replicas * 0.25);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: ns,
      uid,
      labels: templateLabels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge),
        'deployment.kubernetes.io/revision': '1',
      },
      ownerReferences: [controllerRef('apps/v1', 'Deployment', d.metadata.name, deploymentUid)],
    },
    spec: {
      replicas,
      selector: {
        ...d.spec.selector,
        matchLabels: { ...d.spec.selector.matchLabels, [LABEL_POD_TEMPLATE_HASH]: hash },
      },
      template: {
        ...d.spec.template,
        metadata: { ...d.spec.template.metadata, labels: templateLabels },
      },
    },
  };
}

/** What a new pod is made from. */
export interface NewPod {
  readonly template: PodTemplateSpec;
  readonly namespace: string;
  readonly name: string;
  /** Set when the name was generated from this prefix. */
  readonly generateName?: string;
  readonly owner: OwnerReference;
  readonly uid: string;
  /** Labels added to the template's. */
  readonly extraLabels?: StringMap;
  /** Spec fields the controller sets (StatefulSet hostname/subdomain, DaemonSet node). */
  readonly specPatch?: Partial<PodSpec>;
}

/** What pods made from one template without extra labels or spec changes share: labels and the defaulted spec. */
const templateParts = new WeakMap<PodTemplateSpec, { labels: StringMap; spec: PodSpec }>();

/** A pod as its controller creates it: template labels and spec with defaults, owner set, not yet scheduled. */
export function podFromTemplate(p: NewPod): Pod {
  const t = p.template;
  const annotations = t.metadata?.annotations;
  let labels: StringMap;
  let spec: PodSpec;
  if (p.extraLabels === undefined && p.specPatch === undefined) {
    // Objects are never changed in place: a ReplicaSet's pods share these (150,000 pods, not 150,000 copies).
    let parts = templateParts.get(t);
    if (parts === undefined) templateParts.set(t, (parts = { labels: { ...t.metadata?.labels }, spec: defaultPodSpec({ ...t.spec }) }));
    labels = parts.labels;
    spec = parts.spec;
  } else {
    labels = { ...t.metadata?.labels, ...p.extraLabels };
    spec = defaultPodSpec({ ...t.spec, ...p.specPatch });
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      ...(p.generateName === undefined ? {} : { generateName: p.generateName }),
      namespace: p.namespace,
      uid: p.uid,
      labels,
      ...(annotations === undefined ? {} : { annotations }),
      ownerReferences: [p.owner],
    },
    spec,
  };
}

/** Ranks pods for removal the way the ReplicaSet controller does: first to go first. */
export function deletionOrder(pods: readonly Pod[], isReady: (pod: Pod) => boolean): Pod[] {
  const ranked = pods.map((pod, i) => ({ pod, i }));
  ranked.sort((a, b) => {
    const aBound = a.pod.spec.nodeName !== undefined && a.pod.spec.nodeName !== '' ? 1 : 0;
    const bBound = b.pod.spec.nodeName !== undefined && b.pod.spec.nodeName !== '' ? 1 : 0;
    if (aBound !== bBound) return aBound - bBound; // unassigned < assigned
    const aRunning = a.pod.status?.phase === 'Running' ? 1 : 0;
    const bRunning = b.pod.status?.phase === 'Running' ? 1 : 0;
    if (aRunning !== bRunning) return aRunning - bRunning; // pending < running
    const aReady = isReady(a.pod) ? 1 : 0;
    const bReady = isReady(b.pod) ? 1 : 0;
    if (aReady !== bReady) return aReady - bReady; // not ready < ready
    return b.i - a.i; // newer < older
  });
  return ranked.map((r) => r.pod);
}

/** The context a scale operation draws names and ids from. */
export interface ScaleContext {
  /** The stream for generated pod names of this workload (`names/<ns>/<name>`). */
  readonly names: RandomStream;
  /** Whether a pod name is already used in the namespace. */
  readonly nameTaken: (name: string) => boolean;
  /** A fresh uid for a new pod. */
  readonly uid: (podName: string) => string;
  /** Whether a pod is ready (for the deletion ranking). */
  readonly isReady: (pod: Pod) => boolean;
}

/** What a controller does to reach its desired state: pods to create and pods to delete. */
export interface ScalePlan {
  /** New pods, in creation order, not yet scheduled (DaemonSet pods carry their node). */
  readonly create: readonly Pod[];
  /** Names of existing pods to delete, in deletion order. */
  readonly remove: readonly string[];
}

/**
 * What a ReplicaSet does to have `replicas` pods, given the active pods it owns in creation
 * order: create `rs-<5 chars>` pods, or delete by the controller's ranking.
 */
export function scaleReplicaSet(rs: ReplicaSet, owned: readonly Pod[], replicas: number, ctx: ScaleContext): ScalePlan {
  const ns = namespaceOf(rs.metadata);
  const diff = replicas - owned.length;
  if (diff < 0) return { create: [], remove: deletionOrder(owned, ctx.isReady).slice(0, -diff).map((p) => p.metadata.name) };
  const create: Pod[] = [];
  const made = new Set<string>();
  const prefix = `${rs.metadata.name}-`;
  const owner = controllerRef('apps/v1', 'ReplicaSet', rs.metadata.name, rs.metadata.uid);
  for (let i = 0; i < diff; i++) {
    const name = generateUniqueName(prefix, ctx.names, (n) => made.has(n) || ctx.nameTaken(n));
    made.add(name);
    create.push(podFromTemplate({ template: rs.spec.template, namespace: ns, name, generateName: prefix, owner, uid: ctx.uid(name) }));
  }
  return { create, remove: [] };
}

/** The ControllerRevision name of a StatefulSet's current template: `<sts>-<hash>`. */
export function statefulSetRevision(sts: StatefulSet): string {
  return `${sts.metadata.name}-${computeHash(sts.spec.template)}`;
}

/** The pod of a StatefulSet with a given ordinal. */
export function statefulSetPod(sts: StatefulSet, ordinal: number, uid: string): Pod {
  const name = `${sts.metadata.name}-${ordinal}`;
  return podFromTemplate({
    template: sts.spec.template,
    namespace: namespaceOf(sts.metadata),
    name,
    owner: controllerRef('apps/v1', 'StatefulSet', sts.metadata.name, sts.metadata.uid),
    uid,
    extraLabels: {
      [LABEL_CONTROLLER_REVISION_HASH]: statefulSetRevision(sts),
      [LABEL_POD_INDEX]: String(ordinal),
      [LABEL_STATEFULSET_POD_NAME]: name,
    },
    specPatch: { hostname: name, ...(sts.spec.serviceName === undefined || sts.spec.serviceName === '' ? {} : { subdomain: sts.spec.serviceName }) },
  });
}

/** The ordinal of a StatefulSet pod name (`web-2` → 2), or null when it is not one of its pods. */
export function statefulSetOrdinal(sts: StatefulSet, podName: string): number | null {
  const prefix = `${sts.metadata.name}-`;
  if (!podName.startsWith(prefix)) return null;
  const rest = podName.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : null;
}

/**
 * What a StatefulSet does to have `replicas` pods: create the missing ordinals below
 * `replicas` (lowest first), delete the ordinals at or above it (highest first).
 */
export function scaleStatefulSet(sts: StatefulSet, owned: readonly Pod[], replicas: number, ctx: ScaleContext): ScalePlan {
  const have = new Map<number, Pod>();
  for (const p of owned) {
    const o = statefulSetOrdinal(sts, p.metadata.name);
    if (o !== null) have.set(o, p);
  }
  const create: Pod[] = [];
  for (let o = 0; o < replicas; o++) {
    if (!have.has(o)) create.push(statefulSetPod(sts, o, ctx.uid(`${sts.metadata.name}-${o}`)));
  }
  const remove = [...have.keys()]
    .filter((o) => o >= replicas)
    .sort((a, b) => b - a)
    .map((o) => have.get(o)!.metadata.name);
  return { create, remove };
}

/** The revision hash a DaemonSet's pods carry. */
export function daemonSetRevision(ds: DaemonSet): string {
  return computeHash(ds.spec.template);
}

/** A node as the DaemonSet controller sees it. */
export interface DaemonNode {
  readonly name: string;
  readonly labels: StringMap;
}

/** Whether a DaemonSet's nodeSelector admits a node (kubernetes.io/hostname is implicit). */
export function daemonSetWantsNode(ds: DaemonSet, node: DaemonNode): boolean {
  const selector = ds.spec.template.spec.nodeSelector;
  return selector === undefined || matchesSelectorMap(selector, { 'kubernetes.io/hostname': node.name, ...node.labels });
}

/**
 * What a DaemonSet does: one pod per admitted node, bound to it (spec.nodeName); pods on
 * nodes it no longer admits, and extra pods on one node, are deleted.
 */
export function scaleDaemonSet(ds: DaemonSet, owned: readonly Pod[], nodes: readonly DaemonNode[], ctx: ScaleContext): ScalePlan {
  const ns = namespaceOf(ds.metadata);
  const byNode = new Map<string, Pod[]>();
  for (const p of owned) {
    const n = p.spec.nodeName ?? '';
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const create: Pod[] = [];
  const remove: string[] = [];
  const made = new Set<string>();
  const prefix = `${ds.metadata.name}-`;
  for (const node of nodes) {
    const here = byNode.get(node.name) ?? [];
    byNode.delete(node.name);
    if (!daemonSetWantsNode(ds, node)) {
      remove.push(...here.map((p) => p.metadata.name));
      continue;
    }
    if (here.length > 1) remove.push(...here.slice(1).map((p) => p.metadata.name));
    if (here.length > 0) continue;
    const name = generateUniqueName(prefix, ctx.names, (n) => made.has(n) || ctx.nameTaken(n));
    made.add(name);
    create.push(
      podFromTemplate({
        template: ds.spec.template,
        namespace: ns,
        name,
        generateName: prefix,
        owner: controllerRef('apps/v1', 'DaemonSet', ds.metadata.name, ds.metadata.uid),
        uid: ctx.uid(name),
        extraLabels: { [LABEL_CONTROLLER_REVISION_HASH]: daemonSetRevision(ds), [LABEL_POD_TEMPLATE_GENERATION]: '1' },
        specPatch: { nodeName: node.name },
      }),
    );
  }
  for (const rest of byNode.values()) remove.push(...rest.map((p) => p.metadata.name));
  return { create, remove };
}

/**
 * The plan for one workload to run `replicas` pods (ignored for a DaemonSet, which wants one
 * per admitted node). `owned` lists the active pods it controls, in creation order. A
 * Deployment is scaled through its ReplicaSet (the one replicaSetForDeployment names), so
 * its new pods are `<deployment>-<hash>-<5 chars>`.
 */
export function scale(
  workload: Workload,
  owned: readonly Pod[],
  replicas: number,
  ctx: ScaleContext & { readonly nodes?: readonly DaemonNode[] },
): ScalePlan {
  switch (workload.kind) {
    case 'ReplicaSet':
      return scaleReplicaSet(workload, owned, replicas, ctx);
    case 'StatefulSet':
      return scaleStatefulSet(workload, owned, replicas, ctx);
    case 'DaemonSet':
      return scaleDaemonSet(workload, owned, ctx.nodes ?? [], ctx);
    case 'Deployment':
      return scaleReplicaSet(replicaSetForDeployment(workload, workload.metadata.uid, ''), owned, replicas, ctx);
  }
}
