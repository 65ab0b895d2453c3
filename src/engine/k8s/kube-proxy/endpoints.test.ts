import { describe, expect, it } from 'vitest';
import type { EndpointSlice } from '../model/index.ts';
import { buildEndpointsMap, categorizeEndpoints, type EndpointInfo } from './endpoints.ts';
import { collectServicePorts, endpointsKey } from './service-port.ts';
import { NODE, OTHER_NODE, service, slice, type EndpointFixture } from './testdata/fixtures.ts';

const KEY = endpointsKey('default', 'web', 'http', 'TCP');

function endpointsOf(slices: readonly EndpointSlice[], key = KEY): readonly EndpointInfo[] {
  return buildEndpointsMap(slices, NODE.name).get(key) ?? [];
}

const webSlice = (eps: readonly EndpointFixture[], name?: string): EndpointSlice =>
  slice('web', eps, [{ name: 'http', port: 8080 }], 'default', name);

describe('buildEndpointsMap', () => {
  it('sorts by the "ip:port" string, not numerically (§3)', () => {
    const eps = endpointsOf([
      slice('web', [{ ip: '10.1.1.1' }, { ip: '10.1.1.11' }], [{ name: 'http', port: 11 }]),
    ]).map((e) => e.endpoint);
    expect(eps).toEqual(['10.1.1.11:11', '10.1.1.1:11']);
    const eps2 = endpointsOf([webSlice([{ ip: '10.0.1.2' }, { ip: '10.0.1.10' }])]).map((e) => e.ip);
    expect(eps2).toEqual(['10.0.1.10', '10.0.1.2']);
  });

  it('applies the condition defaults and marks local endpoints by nodeName', () => {
    const [ep] = endpointsOf([webSlice([{ ip: '10.244.1.5', node: NODE.name }])]);
    expect(ep).toEqual({
      ip: '10.244.1.5',
      port: 8080,
      endpoint: '10.244.1.5:8080',
      isLocal: true,
      ready: true,
      serving: true,
      terminating: false,
    });
  });

  it('uses only the first address, re-printed canonically', () => {
    const s: EndpointSlice = { ...webSlice([]), endpoints: [{ addresses: ['10.244.001.005', '10.244.1.6'] }] };
    expect(endpointsOf([s]).map((e) => e.endpoint)).toEqual(['10.244.1.5:8080']);
  });

  it('lets a non-terminating copy of a duplicate win, whatever the slice order', () => {
    const old = webSlice([{ ip: '10.244.1.5', ready: false, serving: true, terminating: true }], 'web-old');
    const fresh = webSlice([{ ip: '10.244.1.5', ready: true }], 'web-new');
    expect(endpointsOf([old, fresh])).toHaveLength(1);
    expect(endpointsOf([old, fresh])[0]!.terminating).toBe(false);
    expect(endpointsOf([fresh, old])[0]!.terminating).toBe(false);
  });

  it('ignores non-IPv4 slices, slices without the service label, nil-named and zero ports', () => {
    const base = webSlice([{ ip: '10.244.1.5' }]);
    const ignored: EndpointSlice[] = [
      { ...base, addressType: 'IPv6', endpoints: [{ addresses: ['fd00::5'] }] },
      { ...base, addressType: 'FQDN', endpoints: [{ addresses: ['web.example.com'] }] },
      { ...base, metadata: { name: 'stray', namespace: 'default' } },
      { ...base, ports: [{ port: 8080, protocol: 'TCP' }] },
      { ...base, ports: [{ name: 'http', port: 0, protocol: 'TCP' }] },
      { ...base, ports: [{ name: 'http', protocol: 'TCP' }] },
    ];
    for (const s of ignored) expect(buildEndpointsMap([s], NODE.name).size).toBe(0);
  });

  it('matches slice ports to service ports by name and protocol', () => {
    const s = slice('web', [{ ip: '10.244.1.5' }], [{ name: 'http', port: 8080, protocol: 'UDP' }]);
    expect(endpointsOf([s])).toEqual([]);
    expect(endpointsOf([s], endpointsKey('default', 'web', 'http', 'UDP'))).toHaveLength(1);
  });
});

describe('categorizeEndpoints (§3.1)', () => {
  const ports = (spec: Parameters<typeof service>[1]) => collectServicePorts([service('web', spec)])[0]!;
  const clusterIP = ports({ clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] });
  const eTPLocal = ports({
    type: 'NodePort',
    clusterIP: '10.96.0.20',
    externalTrafficPolicy: 'Local',
    ports: [{ name: 'http', port: 80, nodePort: 30080 }],
  });
  const iTPLocal = ports({ clusterIP: '10.96.0.20', internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80 }] });
  const ips = (eps: readonly EndpointInfo[]) => eps.map((e) => e.ip);

  it('uses ready endpoints for Cluster policy', () => {
    const eps = endpointsOf([webSlice([{ ip: '10.244.1.5', ready: true }, { ip: '10.244.2.7', ready: false, serving: true, terminating: true }])]);
    const c = categorizeEndpoints(clusterIP, eps);
    expect(ips(c.clusterEndpoints)).toEqual(['10.244.1.5']);
    expect(c.localEndpoints).toEqual([]);
    expect(ips(c.reachableEndpoints)).toEqual(['10.244.1.5']);
    expect(c.hasAnyEndpoints).toBe(true);
  });

  it('falls back to serving+terminating endpoints, never to not-serving ones', () => {
    const eps = endpointsOf([
      webSlice([
        { ip: '10.244.1.5', ready: false, serving: true, terminating: true },
        { ip: '10.244.2.7', ready: false, serving: false, terminating: true },
        { ip: '10.244.2.8', ready: false, serving: true, terminating: false },
      ]),
    ]);
    const c = categorizeEndpoints(clusterIP, eps);
    expect(ips(c.clusterEndpoints)).toEqual(['10.244.1.5']);
    expect(c.hasAnyEndpoints).toBe(true);
  });

  it('has no endpoints when nothing is ready or serving+terminating', () => {
    const eps = endpointsOf([webSlice([{ ip: '10.244.1.5', ready: false, serving: false }])]);
    expect(categorizeEndpoints(clusterIP, eps).hasAnyEndpoints).toBe(false);
    expect(categorizeEndpoints(eTPLocal, eps).hasAnyEndpoints).toBe(false);
    expect(categorizeEndpoints(iTPLocal, eps).hasAnyEndpoints).toBe(false);
  });

  it('gives iTP=Local only local endpoints, but still sees remote ones as "any"', () => {
    const eps = endpointsOf([webSlice([{ ip: '10.244.2.7', node: OTHER_NODE }])]);
    const c = categorizeEndpoints(iTPLocal, eps);
    expect(c.clusterEndpoints).toEqual([]);
    expect(c.localEndpoints).toEqual([]);
    expect(c.reachableEndpoints).toEqual([]);
    expect(c.hasAnyEndpoints).toBe(true);
  });

  it('reaches the union when Local falls back to a terminating local endpoint', () => {
    const eps = endpointsOf([
      webSlice([
        { ip: '10.244.1.6', node: NODE.name, ready: false, serving: true, terminating: true },
        { ip: '10.244.2.9', node: OTHER_NODE, ready: true },
      ]),
    ]);
    const c = categorizeEndpoints(eTPLocal, eps);
    expect(ips(c.clusterEndpoints)).toEqual(['10.244.2.9']);
    expect(ips(c.localEndpoints)).toEqual(['10.244.1.6']);
    expect(ips(c.reachableEndpoints)).toEqual(['10.244.1.6', '10.244.2.9']);
  });

  it('prefers ready local endpoints over terminating ones', () => {
    const eps = endpointsOf([
      webSlice([
        { ip: '10.244.1.5', node: NODE.name, ready: true },
        { ip: '10.244.1.6', node: NODE.name, ready: false, serving: true, terminating: true },
        { ip: '10.244.2.9', node: OTHER_NODE, ready: true },
      ]),
    ]);
    const c = categorizeEndpoints(eTPLocal, eps);
    expect(ips(c.localEndpoints)).toEqual(['10.244.1.5']);
    expect(ips(c.reachableEndpoints)).toEqual(['10.244.1.5', '10.244.2.9']);
  });
});
