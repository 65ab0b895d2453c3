import { describe, expect, it } from 'vitest';
import { cluster, deployment, pod, podsOf, run } from './testdata/fixtures.ts';

describe('scheduling and pod addresses', () => {
  it('spreads a workload across the 3 nodes and numbers pod addresses by node (10.2.N.x)', () => {
    const s = run([deployment('web', 3, { app: 'web' }), deployment('api', 6, { app: 'api' })]);
    const byNode = (prefix: string) => podsOf(s, prefix).map((p) => p.spec.nodeName).sort();
    expect(byNode('web-')).toEqual(['node-1', 'node-2', 'node-3']);
    expect(byNode('api-')).toEqual(['node-1', 'node-1', 'node-2', 'node-2', 'node-3', 'node-3']);
    for (const p of s.pods) {
      const n = Number(p.spec.nodeName!.slice('node-'.length));
      expect(p.status?.podIP).toMatch(new RegExp(`^10\\.2\\.${n}\\.\\d+$`));
      expect(Number(p.status!.podIP!.split('.')[3])).toBeGreaterThanOrEqual(2);
      expect(p.status?.hostIP).toBe(`192.168.49.${n + 1}`);
      expect(p.status?.phase).toBe('Running');
    }
    const ips = s.pods.map((p) => p.status?.podIP);
    expect(new Set(ips).size).toBe(ips.length);
  });

  it('places the built-in CoreDNS pods first, then the file in order', () => {
    const s = run([pod('a', { app: 'a' })]);
    expect(s.pods.map((p) => p.metadata.name.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, '-*'))).toEqual(['coredns-*', 'coredns-*', 'a']);
    expect(s.pods.map((p) => p.spec.nodeName)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(s.pods.map((p) => p.status?.podIP)).toEqual(['10.2.1.2', '10.2.2.2', '10.2.3.2']);
  });

  it('honours nodeName, nodeSelector and a written podIP', () => {
    const config = cluster({ nodes: [{ name: 'node-1' }, { name: 'node-2', labels: { gpu: 'yes' } }, { name: 'node-3' }] });
    const s = run(
      [
        pod('pinned', {}, undefined, { nodeName: 'node-3' }),
        pod('gpu', {}, undefined, { nodeSelector: { gpu: 'yes' } }),
        pod('host', {}, undefined, { nodeSelector: { 'kubernetes.io/hostname': 'node-1' } }),
        pod('fixed', {}, undefined, {}, { podIP: '10.2.2.77' }),
        pod('net', {}, undefined, { hostNetwork: true, nodeName: 'node-2' }),
      ],
      config,
    );
    const at = (n: string) => s.pods.find((p) => p.metadata.name === n)!;
    expect(at('pinned').spec.nodeName).toBe('node-3');
    expect(at('gpu').spec.nodeName).toBe('node-2');
    expect(at('host').spec.nodeName).toBe('node-1');
    expect([at('fixed').spec.nodeName, at('fixed').status?.podIP]).toEqual(['node-2', '10.2.2.77']);
    expect([at('net').status?.podIP, at('net').status?.hostIP]).toEqual(['192.168.49.3', '192.168.49.3']);
    expect(s.errors).toEqual([]);
  });

  it('keeps a pod no node admits Pending with the scheduler\'s reason, with no address', () => {
    const s = run([pod('nowhere', { app: 'x' }, undefined, { nodeSelector: { disk: 'ssd' } })]);
    const p = s.pods.find((x) => x.metadata.name === 'nowhere')!;
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.podIP).toBeUndefined();
    expect(p.spec.nodeName).toBeUndefined();
    const w = s.warnings.find((x) => x.ref.name === 'nowhere')!;
    expect(w.path).toBe('spec.nodeSelector');
    expect(w.message).toContain("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
  });

  it('reports a nodeName that names no node, a podIP outside its node, and duplicate podIPs', () => {
    const s = run([
      pod('ghost', {}, undefined, { nodeName: 'node-9' }),
      pod('wrong', {}, undefined, { nodeName: 'node-1' }, { podIP: '10.2.2.5' }),
      pod('one', {}, undefined, {}, { podIP: '10.2.3.9' }),
      pod('two', {}, undefined, {}, { podIP: '10.2.3.9' }),
    ]);
    expect(s.errors.map((e) => `${e.ref.name} ${e.path}`)).toEqual(['ghost spec.nodeName', 'wrong status.podIP', 'two status.podIP']);
    expect(s.errors[2]!.message).toMatch(/^Duplicate value: "10.2.3.9"/);
    expect(s.pods.find((p) => p.metadata.name === 'ghost')!.status?.phase).toBe('Pending');
  });

  it('skips addresses written in the file when allocating', () => {
    const s = run([pod('fixed', {}, undefined, { nodeName: 'node-3' }, { podIP: '10.2.3.2' }), pod('next', {}, undefined, { nodeName: 'node-3' })]);
    expect(s.pods.find((p) => p.metadata.name === 'next')!.status?.podIP).toBe('10.2.3.3');
  });
});
