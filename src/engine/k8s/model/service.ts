/**
 * core/v1 Service, reduced to the fields that shape Service networking. Shapes, names and
 * optionality follow the real API (k8s.io/api/core/v1 types.go), so a Service read from YAML
 * or `kubectl get svc -o json` fits as it is. Defaults the API server would fill in are noted
 * on each field; consumers apply them, the types do not.
 */
import type { ObjectMeta } from './meta.ts';

/** A transport protocol as the API spells it. The API server defaults it to TCP. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** spec.type. The API server defaults it to ClusterIP. */
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

/** spec.externalTrafficPolicy / spec.internalTrafficPolicy. Both default to Cluster. */
export type TrafficPolicy = 'Cluster' | 'Local';

/** spec.sessionAffinity. Defaults to None. */
export type SessionAffinity = 'None' | 'ClientIP';

/** An IntOrString: a port number, or the name of a container port. */
export type IntOrString = number | string;

/** One entry of spec.ports. */
export interface ServicePort {
  /** Required when the Service has more than one port; "" or absent otherwise. */
  readonly name?: string;
  readonly protocol?: Protocol;
  readonly port: number;
  /** Defaults to `port`. kube-proxy never reads it: the EndpointSlice carries the number. */
  readonly targetPort?: IntOrString;
  /** 0 or absent when no node port is allocated. */
  readonly nodePort?: number;
  readonly appProtocol?: string;
}

/** spec.sessionAffinityConfig. */
export interface SessionAffinityConfig {
  readonly clientIP?: {
    /** Defaults to 10800 (3 h) when sessionAffinity is ClientIP. */
    readonly timeoutSeconds?: number;
  };
}

/** The Service's spec. */
export interface ServiceSpec {
  readonly type?: ServiceType;
  /** "None" for a headless Service; "" or absent when none is allocated. */
  readonly clusterIP?: string;
  /** One per IP family; clusterIPs[0] equals clusterIP. */
  readonly clusterIPs?: readonly string[];
  readonly ipFamilies?: readonly ('IPv4' | 'IPv6')[];
  /** Defaults to SingleStack. */
  readonly ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
  readonly ports?: readonly ServicePort[];
  readonly selector?: Readonly<Record<string, string>>;
  readonly sessionAffinity?: SessionAffinity;
  readonly sessionAffinityConfig?: SessionAffinityConfig;
  readonly externalTrafficPolicy?: TrafficPolicy;
  readonly internalTrafficPolicy?: TrafficPolicy;
  /** Allocated for type LoadBalancer with externalTrafficPolicy Local. */
  readonly healthCheckNodePort?: number;
  /** CIDRs allowed to reach the load-balancer IPs; the API tolerates surrounding blanks. */
  readonly loadBalancerSourceRanges?: readonly string[];
  readonly externalIPs?: readonly string[];
  /** The DNS name a type ExternalName Service aliases. */
  readonly externalName?: string;
  readonly publishNotReadyAddresses?: boolean;
  /** type LoadBalancer only; defaults to true. false: no nodePorts unless written. */
  readonly allocateLoadBalancerNodePorts?: boolean;
  /** Deprecated: the load-balancer address asked of the cloud provider. */
  readonly loadBalancerIP?: string;
}

/** One entry of status.loadBalancer.ingress. */
export interface LoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
  /** VIP (or absent): traffic arrives with the VIP as destination. Proxy: the LB rewrites it. */
  readonly ipMode?: 'VIP' | 'Proxy';
}

/** The Service's status. */
export interface ServiceStatus {
  readonly loadBalancer?: {
    readonly ingress?: readonly LoadBalancerIngress[];
  };
}

/** A core/v1 Service. */
export interface Service {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Service';
  readonly metadata: ObjectMeta;
  readonly spec: ServiceSpec;
  readonly status?: ServiceStatus;
}

/** The session-affinity timeout the API server fills in when none is given (3 hours). */
export const DEFAULT_CLIENT_IP_TIMEOUT_SECONDS = 10800;
