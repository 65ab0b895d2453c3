import { describe, expect, it } from 'vitest';
import type { DnsPolicy, Pod, PodDnsConfig } from '../model/index.ts';
import { formatResolvConf, parseResolvConf, podResolvConf, type KubeletDnsConfig } from './resolv-conf.ts';

const NODE_FILE = parseResolvConf('# written by systemd-resolved\nnameserver 192.168.49.1\nnameserver 8.8.8.8\nsearch corp.example. lab.example\noptions edns0 trust-ad\n');

const KUBELET: KubeletDnsConfig = { clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: parseResolvConf('nameserver 192.168.49.1\n') };

function pod(opts: { ns?: string; policy?: DnsPolicy; hostNetwork?: boolean; dnsConfig?: PodDnsConfig } = {}): Pod {
  return {
    metadata: { name: 'p', namespace: opts.ns ?? 'default' },
    spec: {
      containers: [{ name: 'c' }],
      ...(opts.policy ? { dnsPolicy: opts.policy } : {}),
      ...(opts.hostNetwork ? { hostNetwork: true } : {}),
      ...(opts.dnsConfig ? { dnsConfig: opts.dnsConfig } : {}),
    },
  };
}

function text(p: Pod, kubelet: KubeletDnsConfig = KUBELET, warnings?: string[]): string {
  return formatResolvConf(podResolvConf(p, kubelet, warnings ? (m) => warnings.push(m) : undefined));
}

describe('podResolvConf + formatResolvConf (§6)', () => {
  it('ClusterFirst (the default) in namespace default gives exactly the §6 file', () => {
    expect(text(pod())).toBe('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(text(pod({ policy: 'ClusterFirst', ns: 'shop' }))).toBe('search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  });

  it('ClusterFirst appends the node search domains, drops node nameservers and options', () => {
    expect(text(pod(), { ...KUBELET, hostResolvConf: NODE_FILE })).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
  });

  it('ClusterFirstWithHostNet gives a hostNetwork pod the cluster setup; plain ClusterFirst falls back to Default', () => {
    const kubelet = { ...KUBELET, hostResolvConf: NODE_FILE };
    expect(text(pod({ policy: 'ClusterFirstWithHostNet', hostNetwork: true }), kubelet)).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    expect(text(pod({ policy: 'ClusterFirst', hostNetwork: true }), kubelet)).toBe(
      'search corp.example lab.example\nnameserver 192.168.49.1\nnameserver 8.8.8.8\noptions edns0 trust-ad\n',
    );
  });

  it('Default copies the node settings (the upstream nameserver)', () => {
    expect(text(pod({ policy: 'Default' }))).toBe('nameserver 192.168.49.1\n');
  });

  it('None uses only dnsConfig', () => {
    const p = pod({ policy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }] } });
    expect(text(p, { ...KUBELET, hostResolvConf: NODE_FILE })).toBe('search a.example\nnameserver 1.1.1.1\noptions ndots:2\n');
    expect(text(pod({ policy: 'None' }))).toBe('');
  });

  it('merges dnsConfig: nameservers and searches appended without duplicates, options override by name', () => {
    const p = pod({
      dnsConfig: {
        nameservers: ['10.96.0.10', '1.1.1.1'],
        searches: ['svc.cluster.local', 'extra.example'],
        options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }, { name: 'single-request-reopen' }],
      },
    });
    expect(text(p)).toBe(
      'search default.svc.cluster.local svc.cluster.local cluster.local extra.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 edns0 single-request-reopen\n',
    );
  });

  it('keeps at most 3 nameservers and reports it', () => {
    const warnings: string[] = [];
    const p = pod({ dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] } });
    expect(podResolvConf(p, KUBELET, (m) => warnings.push(m)).nameservers).toEqual(['10.96.0.10', '1.1.1.1', '8.8.8.8']);
    expect(warnings).toEqual(['Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 8.8.8.8']);
  });

  it('drops search domains over 253 characters and keeps at most 32', () => {
    const long = `${'a'.repeat(250)}.com`;
    const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
    const warnings: string[] = [];
    const conf = podResolvConf(pod({ dnsConfig: { searches: [long, ...many] } }), KUBELET, (m) => warnings.push(m));
    expect(conf.search).toHaveLength(32);
    expect(conf.search).not.toContain(long);
    expect(conf.search.slice(0, 4)).toEqual(['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'd0.example']);
    expect(warnings).toHaveLength(1);
  });

  it('cuts domains from the end until the search line fits 2048 characters', () => {
    const big = Array.from({ length: 10 }, (_, i) => `${String(i).repeat(200)}.example`);
    const conf = podResolvConf(pod({ dnsConfig: { searches: big } }), KUBELET);
    expect(conf.search.join(' ').length).toBeLessThanOrEqual(2048);
    expect(conf.search).toHaveLength(3 + 9);
  });

  it('applies the legacy 6-domain limit when asked', () => {
    const conf = podResolvConf(pod({ dnsConfig: { searches: ['a.x', 'b.x', 'c.x', 'd.x'] } }), { ...KUBELET, legacySearchLimits: true });
    expect(conf.search).toEqual(['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'a.x', 'b.x', 'c.x']);
  });

  it('falls back to Default when kubelet has no clusterDNS', () => {
    const warnings: string[] = [];
    expect(text(pod(), { ...KUBELET, clusterDns: [] }, warnings)).toBe('nameserver 192.168.49.1\n');
    expect(warnings).toHaveLength(1);
  });

  it('models --resolv-conf="" with a loopback nameserver and search "."', () => {
    expect(text(pod({ policy: 'Default' }), { ...KUBELET, hostResolvConf: null })).toBe('search .\nnameserver 127.0.0.1\n');
    expect(text(pod(), { ...KUBELET, hostResolvConf: null })).toBe('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  });
});

describe('parseResolvConf', () => {
  it('accumulates nameservers, keeps the last search line, merges options by name', () => {
    const conf = parseResolvConf('nameserver 1.1.1.1\nsearch a.example\nsearch b.example. .\noptions ndots:2 rotate\noptions ndots:3\n# nameserver 9.9.9.9\nnameserver 8.8.8.8\n');
    expect(conf).toEqual({
      nameservers: ['1.1.1.1', '8.8.8.8'],
      search: ['b.example'],
      options: [{ name: 'ndots', value: '3' }, { name: 'rotate' }],
    });
  });
});
