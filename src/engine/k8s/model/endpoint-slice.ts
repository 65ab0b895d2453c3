/**
 * discovery.k8s.io/v1 EndpointSlice, reduced to what Service proxying reads. Shapes follow
 * the real API (k8s.io/api/discovery/v1 types.go), including its nil-versus-set conditions.
 */
import type { ObjectMeta, ObjectReference } from './meta.ts';
import type { Protocol } from './service.ts';

/** The label that ties a slice to its Service (discovery.k8s.io/v1 LabelServiceName). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

/** The label naming the controller that manages a slice. */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';

/** The type of every address in a slice. */
export type AddressType = 'IPv4' | 'IPv6' | 'FQDN';

/**
 * An endpoint's conditions. Each may be absent, which consumers read as: ready → true,
 * serving → true, terminating → false.
 */
export interface EndpointConditions {
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

/** Topology hints the EndpointSlice controller may attach to an endpoint. */
export interface EndpointHints {
  readonly forZones?: readonly { readonly name: string }[];
  readonly forNodes?: readonly { readonly name: string }[];
}

/** One endpoint (usually one Pod) in a slice. */
export interface Endpoint {
  /** One or more addresses of the slice's addressType; consumers use only the first. */
  readonly addresses: readonly string[];
  readonly conditions?: EndpointConditions;
  readonly hostname?: string;
  readonly targetRef?: ObjectReference;
  readonly nodeName?: string;
  readonly zone?: string;
  readonly hints?: EndpointHints;
}

/**
 * One port of a slice. The EndpointSlice controller writes `name: ""` for an unnamed
 * Service port; a port whose name is absent (nil) is ignored by kube-proxy.
 */
export interface EndpointPort {
  readonly name?: string;
  /** Defaults to TCP. */
  readonly protocol?: Protocol;
  /** Absent means "all ports"; kube-proxy ignores such ports. */
  readonly port?: number;
  readonly appProtocol?: string;
}

/** A discovery.k8s.io/v1 EndpointSlice. */
export interface EndpointSlice {
  readonly apiVersion?: 'discovery.k8s.io/v1';
  readonly kind?: 'EndpointSlice';
  /** Carries LABEL_SERVICE_NAME naming the Service in the same namespace. */
  readonly metadata: ObjectMeta;
  readonly addressType: AddressType;
  readonly endpoints: readonly Endpoint[];
  readonly ports?: readonly EndpointPort[];
}
