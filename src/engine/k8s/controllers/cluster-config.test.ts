import { describe, expect, it } from 'vitest';
import { clusterConfigFrom, defaultClusterConfig, nodePodSubnet, parsePortRange, serviceCidrs } from './cluster-config.ts';

describe('cluster config', () => {
  it('defaults to a kubeadm cluster', () => {
    const c = defaultClusterConfig();
    expect(c).toMatchObject({
      podCIDR: '10.244.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      nodeCIDR: '192.168.49.0/24',
      dnsDomain: 'cluster.local',
      serviceNodePortRange: '30000-32767',
      allocateNodePorts: true,
    });
    expect(c.nodes).toEqual([{ name: 'node-1', ip: '192.168.49.2', labels: {}, podCIDR: '10.244.1.0/24' }]);
    expect(c.loadBalancerIPPool).toBeUndefined();
  });

  it('numbers nodes from node-1, addresses from .2, pod subnets by the node number', () => {
    const { config, problems } = clusterConfigFrom({ nodes: 3, podCIDR: '10.2.0.0/16', nodeCIDR: '172.18.0.0/16' });
    expect(problems).toEqual([]);
    expect(config.nodes.map((n) => [n.name, n.ip, n.podCIDR])).toEqual([
      ['node-1', '172.18.0.2', '10.2.1.0/24'],
      ['node-2', '172.18.0.3', '10.2.2.0/24'],
      ['node-3', '172.18.0.4', '10.2.3.0/24'],
    ]);
    expect(nodePodSubnet('10.2.0.0/16', 2)).toBe('10.2.2.0/24');
    expect(nodePodSubnet('10.0.0.0/8', 300)).toBe('10.1.44.0/24');
  });

  it('keeps an explicit node list, filling in addresses', () => {
    const { config, problems } = clusterConfigFrom({
      nodes: [{ name: 'kind-control-plane', ip: '192.168.49.10' }, { name: 'kind-worker', labels: { zone: 'a' } }],
    });
    expect(problems).toEqual([]);
    expect(config.nodes.map((n) => [n.name, n.ip, n.podCIDR, n.labels])).toEqual([
      ['kind-control-plane', '192.168.49.10', '10.244.1.0/24', {}],
      ['kind-worker', '192.168.49.3', '10.244.2.0/24', { zone: 'a' }],
    ]);
  });

  it('reports bad values at their path and falls back to defaults', () => {
    const { config, problems } = clusterConfigFrom({
      podCIDR: 'nope',
      serviceNodePortRange: '40000-30000',
      nodes: [{ name: 'a', ip: '10.0.0.1' }, { name: 'a' }],
    });
    expect(config.podCIDR).toBe('10.244.0.0/16');
    expect(problems.map((p) => p.path)).toEqual(['spec.cluster.podCIDR', 'spec.cluster.serviceNodePortRange', 'spec.cluster.nodes[0].ip', 'spec.cluster.nodes[1].name']);
  });

  it('parses port ranges and several service CIDRs', () => {
    expect(parsePortRange('30000-32767')).toEqual({ base: 30000, size: 2768 });
    expect(parsePortRange('30000+100')).toEqual({ base: 30000, size: 100 });
    expect(clusterConfigFrom({ serviceNodePortRange: { min: 31000, max: 31999 } }).config.serviceNodePortRange).toBe('31000-31999');
    const c = clusterConfigFrom({ serviceCIDR: '10.96.0.0/16,10.97.0.0/16' }).config;
    expect(serviceCidrs(c).map((x) => x.prefixLen)).toEqual([16, 16]);
  });
});
