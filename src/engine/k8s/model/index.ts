/**
 * The typed subset of Kubernetes objects kubewire reads: ObjectMeta, Service, EndpointSlice
 * and Node, shaped like the real API so YAML and `kubectl get -o json` fit them directly.
 */
export * from './meta.ts';
export * from './service.ts';
export * from './endpoint-slice.ts';
export * from './node.ts';
