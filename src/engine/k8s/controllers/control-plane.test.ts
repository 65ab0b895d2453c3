import { describe, expect, it } from 'vitest';
import type { K8sObject } from './objects.ts';
import { addressesOf, cluster, deployment, plane, pod, podsOf, run, service, slicesOf, svcOf } from './testdata/fixtures.ts';

const app = (): K8sObject[] => [
  deployment('backend', 3, { app: 'backend' }, [{ name: 'http', containerPort: 8080 }]),
  service('backend', { app: 'backend' }, [{ port: 80, targetPort: 'http' }]),
];

describe('reconcile', () => {
  it('is deterministic for a seed: same names, nodes, addresses, slices, uids', () => {
    expect(JSON.stringify(run(app()))).toBe(JSON.stringify(run(app())));
  });

  it('lists the built-in namespaces and Nodes as kubectl shows them', () => {
    const s = run([{ kind: 'Namespace', metadata: { name: 'team' } }, { ...pod('x', {}), metadata: { name: 'x', namespace: 'other' } } as K8sObject]);
    expect(s.namespaces.map((n) => n.metadata.name)).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system', 'team', 'other']);
    expect(s.warnings.find((w) => w.ref.name === 'x')?.path).toBe('metadata.namespace');
    const n2 = s.nodes[1]!;
    expect(n2.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'node-2', 'kubernetes.io/os': 'linux' });
    expect(n2.spec).toEqual({ podCIDR: '10.2.2.0/24', podCIDRs: ['10.2.2.0/24'] });
    expect(n2.status?.addresses).toEqual([
      { type: 'InternalIP', address: '192.168.49.3' },
      { type: 'Hostname', address: 'node-2' },
    ]);
  });

  it('lets a file replace a built-in object of the same namespace and name', () => {
    const s = run([
      { ...service('kube-dns', { 'k8s-app': 'kube-dns' }, [{ name: 'dns', port: 53, protocol: 'UDP' }]), metadata: { name: 'kube-dns', namespace: 'kube-system' } } as K8sObject,
      { ...deployment('coredns', 1, { 'k8s-app': 'kube-dns' }, [{ name: 'dns', containerPort: 53, protocol: 'UDP' }]), metadata: { name: 'coredns', namespace: 'kube-system' } } as K8sObject,
    ]);
    expect(svcOf(s, 'kube-dns', 'kube-system').spec.ports).toHaveLength(1);
    expect(svcOf(s, 'kube-dns', 'kube-system').spec.clusterIP).toBe('10.96.0.10');
    expect(podsOf(s, 'coredns-')).toHaveLength(1);
  });

  it('drops the built-in CoreDNS when the file brings its own kube-dns pods (a dump)', () => {
    const dump = { ...pod('coredns-674b8bbfcf-x5m2d', { 'k8s-app': 'kube-dns' }), metadata: { name: 'coredns-674b8bbfcf-x5m2d', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } } as K8sObject;
    const s = run([dump]);
    expect(s.pods.map((p) => p.metadata.name)).toEqual(['coredns-674b8bbfcf-x5m2d']);
  });

  it('takes Nodes written in the file as extra labels for the configured nodes', () => {
    const s = run([
      { kind: 'Node', metadata: { name: 'node-2', labels: { 'topology.kubernetes.io/zone': 'b' } } },
      { kind: 'Node', metadata: { name: 'node-9' } },
      pod('z', { app: 'z' }, undefined, { nodeSelector: { 'topology.kubernetes.io/zone': 'b' } }),
      service('z', { app: 'z' }),
    ]);
    expect(s.pods.find((p) => p.metadata.name === 'z')!.spec.nodeName).toBe('node-2');
    expect(slicesOf(s, 'z')[0]!.endpoints[0]!.zone).toBe('b');
    expect(s.warnings.find((w) => w.ref.name === 'node-9')?.message).toMatch(/^not one of the cluster's nodes/);
  });
});

describe('objects as a dump writes them', () => {
  it('completes generateName, and leaves terminal pods out of endpoints', () => {
    const s = run([
      { kind: 'Pod', metadata: { name: '', generateName: 'job-', labels: { app: 'j' } }, spec: { containers: [{ name: 'c' }] } },
      { ...pod('done', { app: 'j' }), status: { phase: 'Succeeded' } } as K8sObject,
      service('j', { app: 'j' }),
    ]);
    const gen = s.pods.find((p) => p.metadata.name.startsWith('job-'))!;
    expect(gen.metadata.name).toMatch(/^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(addressesOf(s, 'j')).toEqual([gen.status!.podIP]);
    expect(s.pods.find((p) => p.metadata.name === 'done')!.status).toEqual({ phase: 'Succeeded' });
  });

  it('keeps the pods of a Deployment whose ReplicaSet is missing from the dump, without adding more', () => {
    const owned = (name: string, ip: string, node: string): K8sObject => ({
      kind: 'Pod',
      metadata: { name, labels: { app: 'hello', 'pod-template-hash': '5d9c7b6f4' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'hello-5d9c7b6f4', controller: true }] },
      spec: { nodeName: node, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
      status: { phase: 'Running', podIP: ip },
    });
    const s = run([deployment('hello', 2, { app: 'hello' }, [{ name: 'http', containerPort: 8080 }]), owned('hello-5d9c7b6f4-qwz8t', '10.2.2.9', 'node-2'), owned('hello-5d9c7b6f4-lm2xr', '10.2.3.9', 'node-3'), service('hello', { app: 'hello' }, [{ port: 8080, targetPort: 'http' }])]);
    expect(podsOf(s, 'hello-').map((p) => p.metadata.name)).toEqual(['hello-5d9c7b6f4-qwz8t', 'hello-5d9c7b6f4-lm2xr']);
    expect(s.replicaSets.map((r) => r.metadata.name)).toContain('hello-5d9c7b6f4');
    expect(addressesOf(s, 'hello')).toEqual(['10.2.2.9', '10.2.3.9']);
  });

  it('uses a Deployment\'s ReplicaSet written in the file instead of making one', () => {
    const d = deployment('web', 2, { app: 'web' }) as K8sObject & { kind: 'Deployment' };
    const rs: K8sObject = {
      kind: 'ReplicaSet',
      metadata: { name: 'web-abc', labels: { app: 'web', 'pod-template-hash': 'abc' }, ownerReferences: [{ kind: 'Deployment', name: 'web', controller: true }] },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: d.spec.template.spec } },
    };
    const s = run([d, rs]);
    expect(s.replicaSets.filter((r) => r.metadata.name.startsWith('web-')).map((r) => r.metadata.name)).toEqual(['web-abc']);
    expect(podsOf(s, 'web-abc-')).toHaveLength(2);
    const cp = plane([d, rs]);
    expect(podsOf(cp.scale('Deployment', 'default', 'web', 3).state, 'web-abc-')).toHaveLength(3);
  });
});

describe('runtime changes', () => {
  it('deletePod: the ReplicaSet makes a replacement with a new name and a fresh address; slices follow', () => {
    const cp = plane(app());
    const before = podsOf(cp.state, 'backend-');
    const victim = before[1]!;
    const sliceName = slicesOf(cp.state, 'backend')[0]!.metadata.name;
    const r = cp.deletePod('default', victim.metadata.name);
    expect(r.problem).toBeUndefined();
    expect(r.changedServices).toEqual(['default/backend']);
    const after = podsOf(r.state, 'backend-');
    expect(after).toHaveLength(3);
    const fresh = after.find((p) => !before.some((b) => b.metadata.name === p.metadata.name))!;
    expect(fresh.metadata.name).not.toBe(victim.metadata.name);
    expect(fresh.spec.nodeName).toBe(victim.spec.nodeName);
    expect(fresh.status?.podIP).not.toBe(victim.status?.podIP); // host-local moves on past the freed address
    expect(addressesOf(r.state, 'backend')).not.toContain(victim.status?.podIP);
    expect(addressesOf(r.state, 'backend')).toContain(fresh.status?.podIP);
    expect(slicesOf(r.state, 'backend')[0]!.metadata.name).toBe(sliceName);
    expect(cp.deletePod('default', 'nope').problem?.message).toBe('NotFound: pods "nope" not found');
  });

  it('deletePod on a bare pod removes it for good', () => {
    const cp = plane([pod('solo', { app: 's' }), service('s', { app: 's' })]);
    const r = cp.deletePod('default', 'solo');
    expect(r.state.pods.some((p) => p.metadata.name === 'solo')).toBe(false);
    expect(slicesOf(r.state, 's')[0]!.endpoints).toEqual([]);
  });

  it('terminatePod: the pod stays terminating (serving, not ready) while its replacement starts', () => {
    const cp = plane(app());
    const victim = podsOf(cp.state, 'backend-')[0]!;
    const r = cp.terminatePod('default', victim.metadata.name);
    const eps = slicesOf(r.state, 'backend').flatMap((s) => s.endpoints);
    expect(eps).toHaveLength(4);
    expect(eps.find((e) => e.targetRef?.name === victim.metadata.name)!.conditions).toEqual({ ready: false, serving: true, terminating: true });
    expect(r.state.endpoints.find((e) => e.metadata.name === 'backend')!.subsets![0]!.addresses).toHaveLength(3);
    const done = cp.deletePod('default', victim.metadata.name);
    expect(podsOf(done.state, 'backend-')).toHaveLength(3);
  });

  it('setPodReady flips the endpoint and the Ready condition', () => {
    const cp = plane(app());
    const p = podsOf(cp.state, 'backend-')[2]!;
    const r = cp.setPodReady('default', p.metadata.name, false);
    expect(r.changedServices).toEqual(['default/backend']);
    const ep = slicesOf(r.state, 'backend')[0]!.endpoints.find((e) => e.targetRef?.name === p.metadata.name)!;
    expect(ep.conditions).toEqual({ ready: false, serving: false, terminating: false });
    expect(r.state.pods.find((x) => x.metadata.name === p.metadata.name)!.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(r.state.deployments.find((d) => d.metadata.name === 'backend')!.status?.readyReplicas).toBe(2);
    const back = cp.setPodReady('default', p.metadata.name, true);
    expect(slicesOf(back.state, 'backend')[0]!.endpoints.every((e) => e.conditions?.ready === true)).toBe(true);
    expect(cp.setPodReady('default', p.metadata.name, true).changedServices).toEqual([]);
  });

  it('scale: up adds spread pods, down removes the newest first', () => {
    const cp = plane(app());
    const first = podsOf(cp.state, 'backend-').map((p) => p.metadata.name);
    const up = cp.scale('Deployment', 'default', 'backend', 5);
    const five = podsOf(up.state, 'backend-');
    expect(five).toHaveLength(5);
    expect(addressesOf(up.state, 'backend')).toHaveLength(5);
    expect(up.state.replicaSets.find((r) => r.metadata.name.startsWith('backend-'))!.spec.replicas).toBe(5);
    expect(up.state.deployments.find((d) => d.metadata.name === 'backend')!.spec.replicas).toBe(5);
    const down = cp.scale('Deployment', 'default', 'backend', 2);
    expect(podsOf(down.state, 'backend-').map((p) => p.metadata.name)).toEqual(first.slice(0, 2));
    expect(addressesOf(down.state, 'backend')).toHaveLength(2);
    expect(cp.scale('StatefulSet', 'default', 'backend', 1).problem?.message).toMatch(/^NotFound/);
  });

  it('scale: a StatefulSet grows and shrinks at its highest ordinals', () => {
    const sts: K8sObject = {
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 5432 }] }] } } },
    };
    const cp = plane([sts, service('db', { app: 'db' }, [{ port: 5432 }], { clusterIP: 'None' })]);
    expect(podsOf(cp.scale('StatefulSet', 'default', 'db', 4).state, 'db-').map((p) => p.metadata.name)).toEqual(['db-0', 'db-1', 'db-2', 'db-3']);
    const r = cp.scale('StatefulSet', 'default', 'db', 1);
    expect(podsOf(r.state, 'db-').map((p) => p.metadata.name)).toEqual(['db-0']);
    expect(slicesOf(r.state, 'db')[0]!.endpoints.map((e) => e.hostname)).toEqual(['db-0']);
    const again = cp.deletePod('default', 'db-0');
    expect(podsOf(again.state, 'db-').map((p) => p.metadata.name)).toEqual(['db-0']);
  });

  it('nodeDown: pods there turn not ready and new pods avoid the node; nodeUp restores them', () => {
    const cp = plane(app());
    const onNode3 = podsOf(cp.state, 'backend-').filter((p) => p.spec.nodeName === 'node-3').map((p) => p.metadata.name);
    expect(onNode3.length).toBeGreaterThan(0);
    const r = cp.nodeDown('node-3');
    expect(r.changedServices).toContain('default/backend');
    expect(r.state.nodes[2]!.status?.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'Unknown' });
    for (const ep of slicesOf(r.state, 'backend')[0]!.endpoints) {
      expect(ep.conditions?.ready).toBe(!onNode3.includes(ep.targetRef!.name!));
    }
    const up = cp.scale('Deployment', 'default', 'backend', 6);
    expect(podsOf(up.state, 'backend-').filter((p) => p.spec.nodeName === 'node-3').map((p) => p.metadata.name)).toEqual(onNode3);
    const back = cp.nodeUp('node-3');
    expect(slicesOf(back.state, 'backend')[0]!.endpoints.every((e) => e.conditions?.ready === true)).toBe(true);
    expect(cp.nodeDown('node-7').problem?.message).toMatch(/^NotFound/);
  });

  it('runtime changes are deterministic too', () => {
    const go = () => {
      const cp = plane(app());
      cp.deletePod('default', podsOf(cp.state, 'backend-')[0]!.metadata.name);
      cp.scale('Deployment', 'default', 'backend', 4);
      return JSON.stringify(cp.state);
    };
    expect(go()).toBe(go());
  });

  it('leaves Services backed by given slices alone when pods change', () => {
    const cp = plane([
      service('ext', undefined, [{ port: 5432 }]),
      { kind: 'EndpointSlice', metadata: { name: 'ext-1', labels: { 'kubernetes.io/service-name': 'ext' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.9.9.9'] }], ports: [{ name: '', port: 5432 }] },
      ...app(),
    ]);
    const r = cp.deletePod('default', podsOf(cp.state, 'backend-')[0]!.metadata.name);
    expect(r.changedServices).toEqual(['default/backend']);
    expect(addressesOf(r.state, 'ext')).toEqual(['10.9.9.9']);
  });

  it('uses a cluster\'s own pod CIDR everywhere', () => {
    const s = run(app(), cluster({ podCIDR: '10.244.0.0/16' }));
    for (const p of podsOf(s, 'backend-')) expect(p.status?.podIP?.startsWith(`10.244.${p.spec.nodeName!.slice(5)}.`)).toBe(true);
  });
});
