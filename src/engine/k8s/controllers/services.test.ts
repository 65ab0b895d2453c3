import { describe, expect, it } from 'vitest';
import { Cidr, parseIpv4 } from '../../wire/addr.ts';
import { cluster, run, service, svcOf } from './testdata/fixtures.ts';

const errorsAt = (s: ReturnType<typeof run>) => s.errors.map((e) => `${e.ref.name} ${e.path}: ${e.message}`);

describe('ClusterIP allocation', () => {
  it('gives default/kubernetes the first address and kube-dns the tenth', () => {
    const s = run([]);
    expect(svcOf(s, 'kubernetes').spec.clusterIP).toBe('10.96.0.1');
    expect(svcOf(s, 'kube-dns', 'kube-system').spec.clusterIP).toBe('10.96.0.10');
    const other = run([], cluster({ serviceCIDR: '10.100.0.0/16' }));
    expect(svcOf(other, 'kube-dns', 'kube-system').spec.clusterIP).toBe('10.100.0.10');
  });

  it('honours a written clusterIP and draws others from the upper band, deterministically', () => {
    const objs = [service('a', { app: 'a' }, undefined, { clusterIP: '10.96.0.50' }), service('b', { app: 'b' }), service('c', { app: 'c' })];
    const s = run(objs);
    expect(svcOf(s, 'a').spec.clusterIP).toBe('10.96.0.50');
    expect(svcOf(s, 'a').spec.clusterIPs).toEqual(['10.96.0.50']);
    const b = svcOf(s, 'b').spec.clusterIP!;
    const c = svcOf(s, 'c').spec.clusterIP!;
    const range = Cidr.of('10.96.0.0/12');
    for (const ip of [b, c]) {
      const a = parseIpv4(ip)!;
      expect(range.contains(a)).toBe(true);
      expect(a - range.network).toBeGreaterThan(256); // above the static band
    }
    expect(b).not.toBe(c);
    expect(svcOf(run(objs), 'b').spec.clusterIP).toBe(b);
    expect(svcOf(run(objs, cluster(), 8), 'b').spec.clusterIP).not.toBe(b);
  });

  it('rejects a clusterIP outside the service CIDR, or taken, at the path written', () => {
    const s = run([
      service('out', { app: 'a' }, undefined, { clusterIP: '10.0.0.5' }),
      service('dns2', { app: 'a' }, undefined, { clusterIP: '10.96.0.10' }),
      service('ips', { app: 'a' }, undefined, { clusterIPs: ['10.96.0.1'] }),
    ]);
    expect(errorsAt(s)).toEqual([
      'out spec.clusterIP: Invalid value: "10.0.0.5": failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
      'dns2 spec.clusterIP: Invalid value: "10.96.0.10": failed to allocate IP 10.96.0.10: provided IP is already allocated',
      'ips spec.clusterIPs[0]: Invalid value: "10.96.0.1": failed to allocate IP 10.96.0.1: provided IP is already allocated',
    ]);
    expect(s.services.map((x) => x.metadata.name)).toEqual(['kubernetes', 'kube-dns']);
  });

  it('accepts addresses from a second service CIDR', () => {
    const s = run([service('b', { app: 'b' }, undefined, { clusterIP: '10.200.0.7' })], cluster({ serviceCIDR: '10.96.0.0/16,10.200.0.0/16' }));
    expect(s.errors).toEqual([]);
    expect(svcOf(s, 'b').spec.clusterIP).toBe('10.200.0.7');
  });

  it('gives headless and ExternalName Services no address, and fills in API defaults', () => {
    const s = run([
      service('h', { app: 'h' }, undefined, { clusterIP: 'None' }),
      service('ext', undefined, [], { type: 'ExternalName', externalName: 'example.com' }),
      service('d', { app: 'd' }, [{ port: 80 }]),
    ]);
    expect(s.errors).toEqual([]);
    expect(svcOf(s, 'h').spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], type: 'ClusterIP' });
    expect(svcOf(s, 'ext').spec.clusterIP).toBeUndefined();
    expect(svcOf(s, 'd').spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
  });
});

describe('nodePort allocation', () => {
  it('draws nodePorts in range, honours written ones, shares one across protocols of a port', () => {
    const s = run([
      service('np', { app: 'a' }, [{ name: 'web', port: 80, nodePort: 30080 }, { name: 'alt', port: 81 }], { type: 'NodePort' }),
      service('dns', { app: 'a' }, [{ name: 'u', port: 53, protocol: 'UDP' }, { name: 't', port: 53, protocol: 'TCP' }], { type: 'NodePort' }),
    ]);
    expect(s.errors).toEqual([]);
    const ports = svcOf(s, 'np').spec.ports!;
    expect(ports[0]!.nodePort).toBe(30080);
    expect(ports[1]!.nodePort).toBeGreaterThanOrEqual(30086);
    expect(ports[1]!.nodePort).toBeLessThanOrEqual(32767);
    const dns = svcOf(s, 'dns').spec.ports!;
    expect(dns[0]!.nodePort).toBe(dns[1]!.nodePort);
    expect(svcOf(s, 'np').spec.externalTrafficPolicy).toBe('Cluster');
  });

  it('rejects nodePorts out of range or already allocated', () => {
    const s = run([
      service('low', { app: 'a' }, [{ port: 80, nodePort: 8080 }], { type: 'NodePort' }),
      service('first', { app: 'a' }, [{ port: 80, nodePort: 30007 }], { type: 'NodePort' }),
      service('second', { app: 'a' }, [{ port: 80, nodePort: 30007 }], { type: 'NodePort' }),
    ]);
    expect(errorsAt(s)).toEqual([
      'low spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
      'second spec.ports[0].nodePort: Invalid value: 30007: provided port is already allocated',
    ]);
  });

  it('reports a duplicate nodePort within one Service', () => {
    const s = run([service('dup', { app: 'a' }, [{ name: 'a', port: 80, nodePort: 30001 }, { name: 'b', port: 81, nodePort: 30001 }], { type: 'NodePort' })]);
    expect(errorsAt(s)).toEqual(['dup spec.ports[1].nodePort: Duplicate value: {"nodePort":30001,"protocol":"TCP"}']);
  });

  it('honours serviceNodePortRange, and allocateNodePorts: false keeps what is written', () => {
    const s = run([service('np', { app: 'a' }, [{ port: 80 }], { type: 'NodePort' })], cluster({ serviceNodePortRange: '31000-31010' }));
    const np = svcOf(s, 'np').spec.ports![0]!.nodePort!;
    expect(np >= 31000 && np <= 31010).toBe(true);
    const kept = run(
      [service('np', { app: 'a' }, [{ name: 'a', port: 80 }, { name: 'b', port: 81, nodePort: 30500 }], { type: 'NodePort' }), service('lb', { app: 'a' }, [{ port: 80 }], { type: 'LoadBalancer', externalTrafficPolicy: 'Local' })],
      cluster({ allocateNodePorts: false }),
    );
    expect(svcOf(kept, 'np').spec.ports!.map((p) => p.nodePort)).toEqual([undefined, 30500]);
    expect(svcOf(kept, 'lb').spec.ports![0]!.nodePort).toBeUndefined();
    expect(svcOf(kept, 'lb').spec.healthCheckNodePort).toBeUndefined();
  });

  it('gives a LoadBalancer with externalTrafficPolicy Local a healthCheckNodePort', () => {
    const s = run([service('lb', { app: 'a' }, [{ port: 80 }], { type: 'LoadBalancer', externalTrafficPolicy: 'Local' })]);
    const spec = svcOf(s, 'lb').spec;
    expect(spec.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    expect(spec.healthCheckNodePort).not.toBe(spec.ports![0]!.nodePort);
    expect(spec.allocateLoadBalancerNodePorts).toBe(true);
  });
});

describe('load-balancer addresses', () => {
  const pool = cluster({ cloud: { loadBalancer: { ipPool: '203.0.113.0/24' } } });

  it('hands out pool addresses from the first usable one up, skipping those in status', () => {
    const s = run(
      [
        service('a', { app: 'a' }, [{ port: 80 }], { type: 'LoadBalancer' }),
        service('given', { app: 'a' }, [{ port: 80 }], { type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '203.0.113.2' }] } }),
        service('b', { app: 'a' }, [{ port: 80 }], { type: 'LoadBalancer' }),
      ],
      pool,
    );
    expect(svcOf(s, 'a').status?.loadBalancer?.ingress).toEqual([{ ip: '203.0.113.1', ipMode: 'VIP' }]);
    expect(svcOf(s, 'given').status?.loadBalancer?.ingress).toEqual([{ ip: '203.0.113.2' }]);
    expect(svcOf(s, 'b').status?.loadBalancer?.ingress).toEqual([{ ip: '203.0.113.3', ipMode: 'VIP' }]);
  });

  it('takes status.loadBalancer.ingress as written without a pool, else stays pending with a warning', () => {
    const s = run([
      service('given', { app: 'a' }, [{ port: 80 }], { type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } }),
      service('pending', { app: 'a' }, [{ port: 80 }], { type: 'LoadBalancer' }),
    ]);
    expect(svcOf(s, 'given').status?.loadBalancer?.ingress).toEqual([{ ip: '198.51.100.9' }]);
    expect(svcOf(s, 'pending').status).toEqual({ loadBalancer: {} });
    const w = s.warnings.find((x) => x.ref.name === 'pending');
    expect(w?.path).toBe('status.loadBalancer');
    expect(w?.message).toContain('<pending>');
  });

  it('exhausts a small pool', () => {
    const tiny = cluster({ cloud: { loadBalancer: { ipPool: '203.0.113.0/30' } } });
    const s = run(['a', 'b', 'c'].map((n) => service(n, { app: 'a' }, [{ port: 80 }], { type: 'LoadBalancer' })), tiny);
    expect(s.services.filter((x) => x.spec.type === 'LoadBalancer').map((x) => x.status?.loadBalancer?.ingress?.[0]?.ip)).toEqual(['203.0.113.1', '203.0.113.2', undefined]);
  });
});
