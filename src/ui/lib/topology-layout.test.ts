import { describe, expect, it } from 'vitest';
import type { TopologyDto } from '../../api/engine-api.ts';
import { ipOf, layoutTopology, NODE_W } from './topology-layout.ts';

const topo: TopologyDto = {
  nodeCIDR: '192.168.49.0/24',
  podCIDR: '10.2.0.0/16',
  serviceCIDR: '10.96.0.0/12',
  externals: [{ name: 'laptop', ip: '198.51.100.7', role: 'client' }],
  services: [{ key: 'default/web', type: 'ClusterIP', clusterIP: '10.96.0.20', loadBalancerIPs: [], ports: [{ name: 'http', port: 80, targetPort: '8080', nodePort: 0, protocol: 'TCP' }], selector: {}, endpoints: [] }],
  nodes: [1, 2, 3].map((n) => ({
    name: `node-${n}`, ip: `192.168.49.${n + 1}`, podCIDR: `10.2.${n}.0/24`, bridgeIp: `10.2.${n}.1`, up: true,
    pods: [{ key: `default/web-${n}`, namespace: 'default', name: `web-${n}`, ip: `10.2.${n}.2`, node: `node-${n}`, ready: true, labels: {}, containers: [{ name: 'c', ports: [{ port: 8080, protocol: 'TCP' }] }], host: `web-${n}` }],
  })),
};

describe('layoutTopology', () => {
  it('puts all nodes in one row when wide, and wraps them when narrow', () => {
    const wide = layoutTopology(topo, 1200);
    expect(new Set(wide.nodes.map((n) => n.box.y)).size).toBe(1);
    const narrow = layoutTopology(topo, 2 * NODE_W + 60);
    expect(new Set(narrow.nodes.map((n) => n.box.y)).size).toBe(2);
    expect(narrow.height).toBeGreaterThan(wide.height);
  });

  it('places pods inside their node and knows where every trace host is', () => {
    const L = layoutTopology(topo, 900);
    for (const n of L.nodes)
      for (const p of n.pods) {
        expect(p.box.x).toBeGreaterThan(n.box.x);
        expect(p.box.y + p.box.h).toBeLessThanOrEqual(n.box.y + n.box.h);
      }
    for (const h of ['laptop', 'node-1', 'web-3']) expect(L.hosts.has(h)).toBe(true);
    expect(L.services[0]!.box.y).toBeGreaterThan(Math.max(...L.nodes.map((n) => n.box.y + n.box.h)));
  });

  it('reads the address out of an endpoint', () => {
    expect(ipOf('10.96.0.10:53')).toBe('10.96.0.10');
    expect(ipOf('02:00:00:00:00:01')).toBe('02:00:00:00:00:01');
  });
});
