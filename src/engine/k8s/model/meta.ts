/**
 * The metadata every Kubernetes object carries (meta/v1 ObjectMeta), reduced to the fields
 * kubewire reads. Field names and optionality follow the real API so that the scenario
 * loader can fill these straight from YAML.
 */
import type { OwnerReference } from './pod.ts';

/** A string-to-string map, as labels and annotations are in the Kubernetes API. */
export type StringMap = Readonly<Record<string, string>>;

/** ObjectMeta: the name, namespace, labels and annotations of an object. */
export interface ObjectMeta {
  readonly name: string;
  /** Absent for cluster-scoped objects (Node); namespaced objects default to "default". */
  readonly namespace?: string;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
  /** The object's unique id; the control plane fills in a deterministic one when absent. */
  readonly uid?: string;
  /** The prefix the API server completed with 5 random characters to make `name`. */
  readonly generateName?: string;
  /** The objects this one belongs to (a Pod's ReplicaSet, a ReplicaSet's Deployment, …). */
  readonly ownerReferences?: readonly OwnerReference[];
}

/** A reference to another object (core/v1 ObjectReference), e.g. an endpoint's Pod. */
export interface ObjectReference {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly uid?: string;
}

/** The namespace an object lives in, applying the API server's "default" defaulting. */
export function namespaceOf(meta: ObjectMeta): string {
  return meta.namespace === undefined || meta.namespace === '' ? 'default' : meta.namespace;
}
