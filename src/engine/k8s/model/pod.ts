/**
 * core/v1 Pod, reduced to what shapes its networking: where it runs, its containers' ports,
 * readiness, DNS settings and hostname/subdomain. Fields that do not affect the network
 * (volumes, resources, images, args, probe commands) are accepted by the loader and dropped.
 */
import type { ObjectMeta, StringMap } from './meta.ts';
import type { Protocol } from './service.ts';

/** One declared container port. */
export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  /** Defaults to TCP. */
  readonly protocol?: Protocol;
  readonly hostPort?: number;
}

/** A probe, reduced to whether it passes in the simulation (kubewire extension) and its timing. */
export interface Probe {
  /** The probe's handler, kept only to name it in messages. */
  readonly httpGet?: { readonly path?: string; readonly port: number | string };
  readonly tcpSocket?: { readonly port: number | string };
  readonly exec?: { readonly command?: readonly string[] };
  readonly grpc?: { readonly port: number };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly failureThreshold?: number;
}

/** A container: its name and the ports it listens on. */
export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly ports?: readonly ContainerPort[];
  readonly readinessProbe?: Probe;
}

/** spec.dnsConfig. */
export interface PodDnsConfig {
  readonly nameservers?: readonly string[];
  readonly searches?: readonly string[];
  readonly options?: readonly { readonly name: string; readonly value?: string }[];
}

/** DNS policies as Kubernetes defines them. Default for pods: ClusterFirst. */
export type DnsPolicy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';

/** The pod's spec. */
export interface PodSpec {
  readonly nodeName?: string;
  readonly nodeSelector?: StringMap;
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly hostname?: string;
  readonly subdomain?: string;
  readonly hostNetwork?: boolean;
  readonly dnsPolicy?: DnsPolicy;
  readonly dnsConfig?: PodDnsConfig;
  readonly setHostnameAsFQDN?: boolean;
  /** Defaults to Always. */
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
}

/** One status condition. */
export interface PodCondition {
  readonly type: 'Ready' | 'ContainersReady' | 'Initialized' | 'PodScheduled' | string;
  readonly status: 'True' | 'False' | 'Unknown';
  /** A CamelCase reason, e.g. Unschedulable or ContainersNotReady. */
  readonly reason?: string;
  /** A human-readable explanation, e.g. the scheduler's "0/3 nodes are available: …". */
  readonly message?: string;
}

/** The pod's status. */
export interface PodStatus {
  readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  readonly podIP?: string;
  readonly podIPs?: readonly { readonly ip: string }[];
  readonly hostIP?: string;
  readonly hostIPs?: readonly { readonly ip: string }[];
  readonly conditions?: readonly PodCondition[];
}

/** A core/v1 Pod. */
export interface Pod {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Pod';
  readonly metadata: ObjectMeta & { readonly deletionTimestamp?: string; readonly ownerReferences?: readonly OwnerReference[] };
  readonly spec: PodSpec;
  readonly status?: PodStatus;
}

/** metadata.ownerReferences[]. */
export interface OwnerReference {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

/** A pod template (Deployments, ReplicaSets, StatefulSets, DaemonSets). */
export interface PodTemplateSpec {
  readonly metadata?: Omit<ObjectMeta, 'name'> & { readonly name?: string };
  readonly spec: PodSpec;
}

/** Whether the pod's status says Ready=True (absent conditions count as ready: the scenario did not say otherwise). */
export function podReadyFromStatus(pod: Pod): boolean {
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready');
  return c === undefined ? true : c.status === 'True';
}
