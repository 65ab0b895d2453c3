/**
 * The objects the control plane takes in: the model types, each with its `kind` set, as a
 * discriminated union. This is what the scenario loader hands over after parsing YAML.
 */
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
} from '../model/index.ts';
import { namespaceOf } from '../model/index.ts';
import type { ObjectRef } from './problems.ts';

/** Any Kubernetes object the control plane understands, discriminated by `kind`. */
export type K8sObject =
  | (Namespace & { readonly kind: 'Namespace' })
  | (Pod & { readonly kind: 'Pod' })
  | (Service & { readonly kind: 'Service' })
  | (EndpointSlice & { readonly kind: 'EndpointSlice' })
  | (Endpoints & { readonly kind: 'Endpoints' })
  | (Deployment & { readonly kind: 'Deployment' })
  | (ReplicaSet & { readonly kind: 'ReplicaSet' })
  | (StatefulSet & { readonly kind: 'StatefulSet' })
  | (DaemonSet & { readonly kind: 'DaemonSet' })
  | (Ingress & { readonly kind: 'Ingress' })
  /** A Node written in a file (e.g. a `kubectl get nodes -o yaml` dump): matched to cluster.nodes by name. */
  | (Node & { readonly kind: 'Node' });

/** The kinds in K8sObject. */
export type K8sKind = K8sObject['kind'];

/** Every kind the control plane understands. */
export const K8S_KINDS: readonly K8sKind[] = [
  'Namespace',
  'Pod',
  'Service',
  'EndpointSlice',
  'Endpoints',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Ingress',
  'Node',
];

/** Whether objects of a kind are cluster-scoped (have no namespace). */
export function isClusterScoped(kind: K8sKind): boolean {
  return kind === 'Namespace' || kind === 'Node';
}

/** The ref of an object for problems: kind, namespace (defaulted) and name. */
export function refOf(obj: K8sObject): ObjectRef {
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
  if (isClusterScoped(obj.kind)) return { kind: obj.kind, name };
  return { kind: obj.kind, namespace: obj.metadata === undefined ? 'default' : namespaceOf(obj.metadata), name };
}

/** "Kind/namespace/name": a key unique per object. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return namespace === undefined ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}
