/**
 * apps/v1 workload controllers, reduced to what decides the pods they create: replicas, the
 * selector, the template, and for StatefulSets the governing service name.
 */
import type { ObjectMeta, StringMap } from './meta.ts';
import type { PodTemplateSpec } from './pod.ts';

/** metav1.LabelSelector. */
export interface LabelSelector {
  readonly matchLabels?: StringMap;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

/** The replica counters a Deployment, ReplicaSet or StatefulSet reports in its status. */
export interface ReplicaStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly currentReplicas?: number;
}

/** The counters a DaemonSet reports in its status. */
export interface DaemonSetStatus {
  readonly observedGeneration?: number;
  readonly currentNumberScheduled: number;
  readonly desiredNumberScheduled: number;
  readonly numberMisscheduled: number;
  readonly numberReady: number;
  readonly numberAvailable?: number;
  readonly updatedNumberScheduled?: number;
}

/** apps/v1 Deployment. */
export interface Deployment {
  readonly apiVersion?: 'apps/v1';
  readonly kind?: 'Deployment';
  readonly metadata: ObjectMeta;
  readonly spec: {
    /** Defaults to 1. */
    readonly replicas?: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplateSpec;
  };
  readonly status?: ReplicaStatus;
}

/** apps/v1 ReplicaSet. */
export interface ReplicaSet {
  readonly apiVersion?: 'apps/v1';
  readonly kind?: 'ReplicaSet';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly replicas?: number;
    readonly selector: LabelSelector;
    readonly template: PodTemplateSpec;
  };
  readonly status?: ReplicaStatus;
}

/** apps/v1 StatefulSet. */
export interface StatefulSet {
  readonly apiVersion?: 'apps/v1';
  readonly kind?: 'StatefulSet';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly replicas?: number;
    /** The headless Service that gives pods their DNS subdomain. */
    readonly serviceName?: string;
    readonly selector: LabelSelector;
    readonly template: PodTemplateSpec;
  };
  readonly status?: ReplicaStatus;
}

/** apps/v1 DaemonSet. */
export interface DaemonSet {
  readonly apiVersion?: 'apps/v1';
  readonly kind?: 'DaemonSet';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly selector: LabelSelector;
    readonly template: PodTemplateSpec;
  };
  readonly status?: DaemonSetStatus;
}

/** core/v1 Namespace. */
export interface Namespace {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Namespace';
  readonly metadata: ObjectMeta;
  readonly status?: { readonly phase?: 'Active' | 'Terminating' };
}

/** core/v1 Endpoints (legacy), as users paste it; converted to EndpointSlices on load. */
export interface Endpoints {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Endpoints';
  readonly metadata: ObjectMeta;
  readonly subsets?: readonly {
    readonly addresses?: readonly { readonly ip: string; readonly hostname?: string; readonly nodeName?: string; readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string } }[];
    readonly notReadyAddresses?: readonly { readonly ip: string; readonly hostname?: string; readonly nodeName?: string; readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string } }[];
    readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
  }[];
}

/** networking.k8s.io/v1 Ingress. */
export interface Ingress {
  readonly apiVersion?: 'networking.k8s.io/v1';
  readonly kind?: 'Ingress';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly ingressClassName?: string;
    readonly defaultBackend?: IngressBackend;
    readonly rules?: readonly {
      readonly host?: string;
      readonly http?: {
        readonly paths: readonly {
          readonly path?: string;
          readonly pathType: 'Prefix' | 'Exact' | 'ImplementationSpecific';
          readonly backend: IngressBackend;
        }[];
      };
    }[];
  };
}

/** An Ingress backend: a Service and its port (by number or name). */
export interface IngressBackend {
  readonly service?: { readonly name: string; readonly port: { readonly number?: number; readonly name?: string } };
}
