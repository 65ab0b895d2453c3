import { describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../model/index.ts';
import { setPodReadyCondition, initialPodReady, podReady } from './endpointslices.ts';
import type { K8sObject } from './objects.ts';
import { addressesOf, deployment, pod, podsOf, run, service, slicesOf } from './testdata/fixtures.ts';

describe('EndpointSlice controller', () => {
  it('makes one slice <svc>-<5 chars> with the controller labels, owner and endpoint details', () => {
    const s = run([deployment('web', 2, { app: 'web' }, [{ name: 'http', containerPort: 8080 }]), service('web', { app: 'web' }, [{ port: 80, targetPort: 'http' }])]);
    const [slice, ...rest] = slicesOf(s, 'web');
    expect(rest).toEqual([]);
    expect(slice!.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(slice!.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'web', controller: true });
    expect(slice!.ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);
    const pods = podsOf(s, 'web-');
    expect(slice!.endpoints).toEqual(
      pods.map((p) => ({
        addresses: [p.status!.podIP!],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: p.spec.nodeName,
        targetRef: { kind: 'Pod', namespace: 'default', name: p.metadata.name, uid: p.metadata.uid },
      })),
    );
  });

  it('selects only pods that carry EVERY selector label (one of two is not enough)', () => {
    const s = run([
      pod('both', { app: 'backend', tier: 'api' }),
      pod('half', { app: 'backend' }),
      pod('other-ns', { app: 'backend', tier: 'api' }),
      service('backend', { app: 'backend', tier: 'api' }),
    ].map((o) => (o.metadata.name === 'other-ns' ? ({ ...o, metadata: { ...o.metadata, namespace: 'team' } } as K8sObject) : o)));
    expect(addressesOf(s, 'backend')).toEqual([s.pods.find((p) => p.metadata.name === 'both')!.status!.podIP]);
    const w = s.warnings.find((x) => x.ref.name === 'backend' && x.message.startsWith('Pod half'));
    expect(w?.path).toBe('spec.selector');
    expect(w?.message).toContain('lacks the label tier');
  });

  it('resolves a named targetPort per pod: two container port numbers for one name give two slices', () => {
    const s = run([
      pod('a', { app: 'w' }, [{ name: 'http', containerPort: 8080 }]),
      pod('b', { app: 'w' }, [{ name: 'http', containerPort: 9090 }]),
      pod('c', { app: 'w' }, [{ name: 'metrics', containerPort: 9100 }]),
      service('w', { app: 'w' }, [{ name: 'web', port: 80, targetPort: 'http' }, { name: 'm', port: 9100, targetPort: 'metrics' }]),
    ]);
    const slices = slicesOf(s, 'w');
    expect(slices).toHaveLength(3);
    const summary = slices.map((sl) => [sl.endpoints.map((e) => e.targetRef!.name), (sl.ports ?? []).map((p) => `${p.name}:${p.port}`)]);
    expect(summary).toEqual([
      [['a'], ['web:8080']],
      [['b'], ['web:9090']],
      [['c'], ['m:9100']],
    ]);
    expect(new Set(slices.map((x) => x.metadata.name)).size).toBe(3);
    expect(s.warnings.some((w) => w.path === 'spec.ports[0].targetPort' && w.message.includes('on c'))).toBe(true);
  });

  it('matches a named port by protocol too', () => {
    const s = run([pod('d', { app: 'd' }, [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }]), service('d', { app: 'd' }, [{ port: 53, targetPort: 'dns' }])]);
    expect(slicesOf(s, 'd')[0]!.ports).toBeUndefined();
  });

  it('marks not-ready pods, and publishNotReadyAddresses makes them ready', () => {
    const notReady = (name: string, labels: Record<string, string>): K8sObject => ({
      ...pod(name, labels),
      metadata: { name, labels, annotations: { 'kubewire.dev/ready': 'false' } },
      spec: { containers: [{ name: 'app', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { port: 8080, path: '/' } } }] },
    } as K8sObject);
    const s = run([notReady('slow', { app: 's' }), service('s', { app: 's' }), service('s-all', { app: 's' }, undefined, { publishNotReadyAddresses: true })]);
    expect(slicesOf(s, 's')[0]!.endpoints[0]!.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(slicesOf(s, 's-all')[0]!.endpoints[0]!.conditions).toEqual({ ready: true, serving: false, terminating: false });
    expect(s.pods.find((p) => p.metadata.name === 'slow')!.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(s.warnings.filter((w) => w.ref.name === 'slow')).toEqual([]);
  });

  it('takes readiness from written conditions, the annotation winning', () => {
    const p = { metadata: { name: 'p', annotations: { 'kubewire.dev/ready': 'true' } }, spec: { containers: [] }, status: { conditions: [{ type: 'Ready', status: 'False' as const }] } };
    expect(initialPodReady(p)).toBe(true);
    expect(initialPodReady({ ...p, metadata: { name: 'p' } })).toBe(false);
    expect(podReady(setPodReadyCondition(p, true))).toBe(true);
    expect(setPodReadyCondition(p, false).status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=False', 'ContainersReady=False']);
  });

  it('sets hostname when the pod\'s subdomain is the Service', () => {
    const s = run([
      pod('m-0', { app: 'm' }, undefined, { hostname: 'm-0', subdomain: 'm-headless' }),
      service('m-headless', { app: 'm' }, [{ port: 27017 }], { clusterIP: 'None' }),
      service('m', { app: 'm' }, [{ port: 27017 }]),
    ]);
    const headless = slicesOf(s, 'm-headless')[0]!;
    expect(headless.endpoints[0]!.hostname).toBe('m-0');
    expect(headless.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
    expect(slicesOf(s, 'm')[0]!.endpoints[0]!.hostname).toBeUndefined();
  });

  it('writes an empty placeholder slice for a Service that selects nothing, with a warning', () => {
    const s = run([service('lonely', { app: 'nobody' })]);
    const [slice] = slicesOf(s, 'lonely');
    expect(slice!.endpoints).toEqual([]);
    expect(slice!.ports).toBeUndefined();
    expect(s.warnings.find((w) => w.ref.name === 'lonely')?.message).toMatch(/^selects no pods/);
  });

  it('passes slices of a Service without a selector through untouched', () => {
    const given: EndpointSlice & { kind: 'EndpointSlice' } = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'ext-1', labels: { 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'staff' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['172.30.0.41'], nodeName: 'node-2', conditions: { ready: true } }],
      ports: [{ name: '', port: 5432, protocol: 'TCP' }],
    };
    const s = run([service('ext', undefined, [{ port: 5432 }]), given]);
    expect(s.errors).toEqual([]);
    expect(slicesOf(s, 'ext')).toEqual([given]);
    expect(slicesOf(s, 'ext')[0]).toBe(given);
  });

  it('mirrors legacy Endpoints of a selector-less Service into slices', () => {
    const s = run([
      service('legacy', undefined, [{ name: 'pg', port: 5432 }]),
      {
        kind: 'Endpoints',
        metadata: { name: 'legacy' },
        subsets: [{ addresses: [{ ip: '10.9.0.1', nodeName: 'node-1' }], notReadyAddresses: [{ ip: '10.9.0.2' }], ports: [{ name: 'pg', port: 5432 }] }],
      },
    ]);
    const [slice] = slicesOf(s, 'legacy');
    expect(slice!.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'legacy', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    expect(slice!.endpoints).toEqual([
      { addresses: ['10.9.0.1'], conditions: { ready: true }, nodeName: 'node-1' },
      { addresses: ['10.9.0.2'], conditions: { ready: false } },
    ]);
    expect(slice!.ports).toEqual([{ name: 'pg', port: 5432, protocol: 'TCP' }]);
    expect(s.endpoints.find((e) => e.metadata.name === 'legacy')!.subsets![0]!.addresses![0]!.ip).toBe('10.9.0.1');
  });

  it('writes the legacy Endpoints view named as the Service, ready and not-ready apart, sorted by IP', () => {
    const s = run([
      pod('a', { app: 'e' }),
      { ...pod('b', { app: 'e' }), metadata: { name: 'b', labels: { app: 'e' }, annotations: { 'kubewire.dev/ready': 'false' } } } as K8sObject,
      service('e', { app: 'e' }, [{ name: 'http', port: 80, targetPort: 8080 }]),
    ]);
    const ep = s.endpoints.find((e) => e.metadata.name === 'e')!;
    expect(ep.metadata.namespace).toBe('default');
    expect(ep.subsets).toEqual([
      {
        addresses: [{ ip: s.pods.find((p) => p.metadata.name === 'a')!.status!.podIP!, nodeName: 'node-3', targetRef: { kind: 'Pod', namespace: 'default', name: 'a' } }],
        notReadyAddresses: [{ ip: s.pods.find((p) => p.metadata.name === 'b')!.status!.podIP!, nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b' } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    const k = s.endpoints.find((e) => e.metadata.name === 'kubernetes')!;
    expect(k.subsets).toEqual([{ addresses: [{ ip: '192.168.49.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
  });

  it('gives default/kubernetes the API server on node-1 and kube-dns the CoreDNS pods', () => {
    const s = run([]);
    expect(slicesOf(s, 'kubernetes')[0]).toMatchObject({ endpoints: [{ addresses: ['192.168.49.2'], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] });
    const dns = slicesOf(s, 'kube-dns', 'kube-system');
    expect(dns).toHaveLength(1);
    expect(dns[0]!.endpoints.map((e) => e.targetRef?.name)).toEqual(podsOf(s, 'coredns-').map((p) => p.metadata.name));
    expect(dns[0]!.ports).toEqual([
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ]);
  });
});
