/**
 * Small builders for control-plane tests: a 3-node cluster on 10.2.0.0/16 and terse
 * constructors for the objects a scenario file would hold.
 */
import { Rng } from '../../../sim/rng.ts';
import type { ContainerPort, Pod, Service, ServicePort, StringMap } from '../../model/index.ts';
import { clusterConfigFrom, type ClusterConfig, type ClusterConfigInput } from '../cluster-config.ts';
import { ControlPlane, reconcile, type ClusterState } from '../control-plane.ts';
import type { K8sObject } from '../objects.ts';

/** A cluster like the scenario format's example: 3 nodes, pods on 10.2.N.0/24. */
export function cluster(extra: ClusterConfigInput = {}): ClusterConfig {
  const { config, problems } = clusterConfigFrom({ nodes: 3, podCIDR: '10.2.0.0/16', ...extra });
  if (problems.length > 0) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return config;
}

/** Reconciles objects on `cluster()` with seed 7 (or the given config and seed). */
export function run(objects: readonly K8sObject[], config = cluster(), seed = 7): ClusterState {
  return reconcile(config, objects, new Rng(seed));
}

/** A control plane over objects, for runtime changes. */
export function plane(objects: readonly K8sObject[], config = cluster(), seed = 7): ControlPlane {
  return new ControlPlane(config, objects, new Rng(seed));
}

/** A Deployment with `replicas` pods labelled `labels`, one container with `ports`. */
export function deployment(name: string, replicas: number, labels: StringMap, ports: readonly ContainerPort[] = [{ containerPort: 8080 }], namespace?: string): K8sObject {
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', ports }] } } },
  };
}

/** A bare Pod. */
export function pod(name: string, labels: StringMap, ports: readonly ContainerPort[] = [{ containerPort: 8080 }], extra: Partial<Pod['spec']> = {}, status?: Pod['status']): K8sObject {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name, labels },
    spec: { containers: [{ name: 'app', ports }], ...extra },
    ...(status === undefined ? {} : { status }),
  };
}

/** A Service of `type` selecting `selector` (none: no selector) with `ports`. */
export function service(name: string, selector: StringMap | undefined, ports: readonly ServicePort[] = [{ port: 80, targetPort: 8080 }], spec: Partial<Service['spec']> = {}, status?: Service['status']): K8sObject {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { name },
    spec: { ...(selector === undefined ? {} : { selector }), ports, ...spec },
    ...(status === undefined ? {} : { status }),
  };
}

/** The slices of one Service in a state. */
export function slicesOf(state: ClusterState, svc: string, namespace = 'default') {
  return state.endpointSlices.filter((s) => (s.metadata.namespace ?? 'default') === namespace && s.metadata.labels?.['kubernetes.io/service-name'] === svc);
}

/** The addresses of one Service's endpoints (all slices), sorted. */
export function addressesOf(state: ClusterState, svc: string, namespace = 'default'): string[] {
  return slicesOf(state, svc, namespace)
    .flatMap((s) => s.endpoints.map((e) => e.addresses[0]!))
    .sort();
}

/** A Service by name. */
export function svcOf(state: ClusterState, name: string, namespace = 'default'): Service {
  const s = state.services.find((x) => x.metadata.name === name && (x.metadata.namespace ?? 'default') === namespace);
  if (s === undefined) throw new Error(`no service ${namespace}/${name}`);
  return s;
}

/** The pods whose name starts with a prefix. */
export function podsOf(state: ClusterState, prefix: string): Pod[] {
  return state.pods.filter((p) => p.metadata.name.startsWith(prefix));
}
