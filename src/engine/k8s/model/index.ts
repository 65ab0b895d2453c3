/**
 * The typed subset of Kubernetes objects kubewire reads, shaped like the real API so YAML and
 * `kubectl get -o json` fit them directly.
 */
export * from './meta.ts';
export * from './service.ts';
export * from './endpoint-slice.ts';
export * from './node.ts';
export * from './pod.ts';
export * from './workloads.ts';
