import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/rng.ts';
import type { Pod } from '../model/index.ts';
import { SAFE_ALPHABET } from './names.ts';
import type { K8sObject } from './objects.ts';
import { cluster, deployment, pod, podsOf, run } from './testdata/fixtures.ts';
import { scale } from './workloads.ts';
import { deletionOrder, podTemplateHash, replicaSetForDeployment, scaleReplicaSet, scaleStatefulSet, type ScaleContext } from './workloads.ts';

const NAME = new RegExp(`^web-[${SAFE_ALPHABET}]{1,10}-[${SAFE_ALPHABET}]{5}$`);

describe('Deployment → ReplicaSet → Pods', () => {
  it('names the ReplicaSet <deploy>-<pod-template-hash> and its pods <rs>-<5 chars>', () => {
    const s = run([deployment('web', 3, { app: 'web' })]);
    const rs = s.replicaSets.find((r) => r.metadata.name.startsWith('web-'))!;
    const hash = rs.metadata.labels!['pod-template-hash']!;
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: s.deployments.find((d) => d.metadata.name === 'web')!.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const pods = podsOf(s, 'web-');
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(NAME);
      expect(p.metadata.generateName).toBe(`${rs.metadata.name}-`);
      expect(p.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true });
    }
    expect(s.deployments.find((d) => d.metadata.name === 'web')!.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3, updatedReplicas: 3 });
  });

  it('is deterministic for a seed, and the hash depends only on the template', () => {
    const objs = [deployment('web', 3, { app: 'web' })];
    const names = (seed: number) => podsOf(run(objs, cluster(), seed), 'web-').map((p) => `${p.metadata.name}@${p.spec.nodeName}/${p.status?.podIP}`);
    expect(names(7)).toEqual(names(7));
    expect(names(7)).not.toEqual(names(8));
    const d = { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } } };
    expect(replicaSetForDeployment(d, undefined, 'u').metadata.name).toBe(`web-${podTemplateHash(d.spec.template)}`);
    expect(podTemplateHash(d.spec.template)).toBe(podTemplateHash({ spec: { containers: [{ name: 'c' }] }, metadata: { labels: { app: 'web' } } }));
  });

  it('defaults replicas to 1 and takes a ReplicaSet written directly', () => {
    const s = run([
      { kind: 'Deployment', metadata: { name: 'one' }, spec: { selector: { matchLabels: { app: 'one' } }, template: { metadata: { labels: { app: 'one' } }, spec: { containers: [{ name: 'c' }] } } } },
      { kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { replicas: 2, selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'c' }] } } } },
    ]);
    expect(podsOf(s, 'one-')).toHaveLength(1);
    const rsPods = podsOf(s, 'rs-');
    expect(rsPods).toHaveLength(2);
    expect(rsPods[0]!.metadata.name).toMatch(new RegExp(`^rs-[${SAFE_ALPHABET}]{5}$`));
  });

  it('lets a bare pod whose labels match a ReplicaSet be adopted (and counted)', () => {
    const s = run([
      pod('stray', { app: 'rs' }),
      { kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { replicas: 2, selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'c' }] } } } },
    ]);
    expect(podsOf(s, 'rs-')).toHaveLength(1);
    expect(s.pods.find((p) => p.metadata.name === 'stray')!.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', name: 'rs' });
    expect(s.warnings.some((w) => w.ref.name === 'stray' && w.message.startsWith('adopted by ReplicaSet default/rs'))).toBe(true);
  });
});

describe('StatefulSet and DaemonSet', () => {
  const sts: K8sObject = {
    kind: 'StatefulSet',
    metadata: { name: 'mongo' },
    spec: { replicas: 3, serviceName: 'mongo-headless', selector: { matchLabels: { app: 'mongo' } }, template: { metadata: { labels: { app: 'mongo' } }, spec: { containers: [{ name: 'm', ports: [{ containerPort: 27017 }] }] } } },
  };

  it('names StatefulSet pods by ordinal with hostname and subdomain', () => {
    const s = run([sts]);
    const pods = podsOf(s, 'mongo-');
    expect(pods.map((p) => p.metadata.name)).toEqual(['mongo-0', 'mongo-1', 'mongo-2']);
    expect(pods[1]!.spec).toMatchObject({ hostname: 'mongo-1', subdomain: 'mongo-headless' });
    expect(pods[1]!.metadata.labels).toMatchObject({ app: 'mongo', 'statefulset.kubernetes.io/pod-name': 'mongo-1', 'apps.kubernetes.io/pod-index': '1' });
    expect(pods[1]!.metadata.labels!['controller-revision-hash']).toMatch(/^mongo-[bcdf4-9]+$/);
  });

  it('runs one DaemonSet pod per node its nodeSelector admits', () => {
    const ds = (name: string, nodeSelector?: Record<string, string>): K8sObject => ({
      kind: 'DaemonSet',
      metadata: { name },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c' }], ...(nodeSelector === undefined ? {} : { nodeSelector }) } } },
    });
    const config = cluster({ nodes: [{ name: 'node-1' }, { name: 'node-2', labels: { disk: 'ssd' } }, { name: 'node-3', labels: { disk: 'ssd' } }] });
    const s = run([ds('agent'), ds('ssd', { disk: 'ssd' }), ds('one', { 'kubernetes.io/hostname': 'node-1' })], config);
    expect(podsOf(s, 'agent-').map((p) => p.spec.nodeName)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(podsOf(s, 'ssd-').map((p) => p.spec.nodeName)).toEqual(['node-2', 'node-3']);
    expect(podsOf(s, 'one-').map((p) => p.spec.nodeName)).toEqual(['node-1']);
    expect(podsOf(s, 'agent-')[0]!.metadata.name).toMatch(new RegExp(`^agent-[${SAFE_ALPHABET}]{5}$`));
    expect(s.daemonSets.find((d) => d.metadata.name === 'ssd')!.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2 });
  });
});

describe('scaling plans', () => {
  const ctx = (ready: (p: Pod) => boolean = () => true): ScaleContext => ({
    names: new Rng(1).stream('names/default/rs'),
    nameTaken: () => false,
    uid: (n) => `uid-${n}`,
    isReady: ready,
  });
  const mk = (name: string, node?: string, ready = true): Pod => ({
    metadata: { name },
    spec: { containers: [], ...(node === undefined ? {} : { nodeName: node }) },
    status: { phase: node === undefined ? 'Pending' : 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });

  it('removes unscheduled, then not-ready, then the newest pods first', () => {
    const pods = [mk('old', 'n1'), mk('mid', 'n1', false), mk('new', 'n2'), mk('pending')];
    const order = deletionOrder(pods, (p) => p.status?.conditions?.[0]?.status === 'True').map((p) => p.metadata.name);
    expect(order).toEqual(['pending', 'mid', 'new', 'old']);
    const rs = { metadata: { name: 'rs' }, spec: { replicas: 1, selector: {}, template: { spec: { containers: [] } } } };
    expect(scaleReplicaSet(rs, pods, 2, ctx((p) => p.status?.conditions?.[0]?.status === 'True')).remove).toEqual(['pending', 'mid']);
    expect(scaleReplicaSet(rs, pods, 5, ctx()).create).toHaveLength(1);
  });

  it('scales a Deployment through the ReplicaSet its template names', () => {
    const d = { kind: 'Deployment' as const, metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } } } };
    const plan = scale(d, [], 2, ctx());
    expect(plan.create.map((p) => p.metadata.generateName)).toEqual([`web-${podTemplateHash(d.spec.template)}-`, `web-${podTemplateHash(d.spec.template)}-`]);
  });

  it('scales a StatefulSet down from the highest ordinal and up into the gaps', () => {
    const sts = { metadata: { name: 'db' }, spec: { replicas: 3, selector: {}, template: { spec: { containers: [] } } } };
    const pods = [mk('db-0', 'n1'), mk('db-2', 'n1'), mk('db-3', 'n1')];
    expect(scaleStatefulSet(sts, pods, 2, ctx()).remove).toEqual(['db-3', 'db-2']);
    const up = scaleStatefulSet(sts, pods, 3, ctx());
    expect(up.create.map((p) => p.metadata.name)).toEqual(['db-1']);
    expect(up.remove).toEqual(['db-3']);
  });
});
