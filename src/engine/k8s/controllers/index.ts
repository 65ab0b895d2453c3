/**
 * The Kubernetes control plane as pure functions: objects in, everything the API server and
 * controllers would fill in out (see control-plane.ts for the order of work).
 */
export * from './problems.ts';
export * from './objects.ts';
export * from './names.ts';
export * from './labels.ts';
export * from './cluster-config.ts';
export * from './ipam.ts';
export * from './scheduler.ts';
export * from './services.ts';
export * from './workloads.ts';
export * from './endpointslices.ts';
export * from './builtins.ts';
export * from './validate.ts';
export * from './control-plane.ts';
