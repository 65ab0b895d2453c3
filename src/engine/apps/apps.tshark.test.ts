import { describe, expect, it } from 'vitest';
import { buildStar } from './testing/topology.ts';
import { StaticZone, startDnsServer } from './dns-server.ts';
import { startNetexec } from './netexec.ts';
import { resolve, type ResolvConf } from './stub-resolver.ts';
import { httpGet } from './http-client.ts';
import { ping } from './ping.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import { tracePcapng } from '../trace/export.ts';
import { tsharkAvailable, tsharkDecode } from '../../testing/tshark.ts';
import { ipv4 } from '../wire/addr.ts';

// cluster-dns.md: a pcapng of the emulator's DNS packets must decode in tshark with no
// malformed or warning-level expert items.
describe.skipIf(!tsharkAvailable() && !process.env.CI)('the apps\' packets in tshark', () => {
  it('DNS over UDP and TCP (search walk, truncation, EDNS, forwarding), HTTP, UDP netexec and ping decode cleanly', () => {
    const trace = new TraceRecorder();
    const w = buildStar({ client: '10.0.1.10', dns: '10.0.2.53', upstream: '10.0.3.53', server: '10.0.4.20' }, { tracer: trace });
    const zone = new StaticZone(
      [
        { name: 'backend.default.svc.cluster.local', type: 'A', ttl: 30, data: '10.0.4.20' },
        { name: 'cluster.local', type: 'SOA', ttl: 30, data: 'ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30' },
        ...Array.from({ length: 40 }, (_, i) => ({ name: 'many.cluster.local', type: 'A', ttl: 30, data: `10.2.0.${i + 2}` })),
      ],
      { authoritative: true },
    );
    const cluster = { lookup: (q: { name: string; type: number; class: number }, c: { ip: number }) => (/cluster\.local\.$/i.test(q.name) ? zone.lookup(q, c) : null) };
    startDnsServer(w.hosts.dns!, { sources: [cluster], upstream: ipv4('10.0.3.53') });
    startDnsServer(w.hosts.upstream!, { sources: [new StaticZone([{ name: 'example.com', type: 'A', data: '93.184.215.14' }])], recursionAvailable: true });
    startNetexec(w.hosts.server!, { pod: 'backend-0', container: 'agnhost', ports: [{ port: 8080 }, { port: 8081, protocol: 'UDP' }] });
    const conf: ResolvConf = { nameservers: [ipv4('10.0.2.53')], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 };
    const c = w.hosts.client!;
    const results: string[] = [];
    httpGet(c, { url: 'http://backend:8080/hostname', resolver: conf, flow: 1 }, (r) => results.push(`http ${r.status} ${r.body}`));
    w.sim.after(1e8, () => resolve(c, conf, 'example.com', 'getaddrinfo', (r) => results.push(`example ${r.ok}`)));
    w.sim.after(2e8, () => resolve(c, conf, 'many.cluster.local.', 'getaddrinfo', (r) => results.push(`many ${r.addresses.length}`)));
    w.sim.after(3e8, () => resolve(c, { ...conf, options: ['edns0'] }, 'backend', 'getaddrinfo', (r) => results.push(`edns ${r.ok}`)));
    w.sim.after(4e8, () => {
      const port = c.bindUdpEphemeral({ onDatagram: () => false });
      const msg = new TextEncoder().encode('hostname');
      c.sendUdp(0, port, ipv4('10.0.4.20'), 8081, msg.length, (b, o) => b.set(msg, o));
    });
    w.sim.after(5e8, () => ping(c, ipv4('10.0.4.20'), { count: 2, intervalNs: 1e7 }, (r) => results.push(`ping ${r.received}`)));
    w.sim.run();
    expect(results.sort()).toEqual(['edns true', 'example true', 'http 200 backend-0', 'many 40', 'ping 2']);

    const decoded = tsharkDecode(tracePcapng(trace));
    expect(decoded.malformed).toBe(0);
    expect(decoded.expertWarnings).toEqual([]);
    const dns = decoded.packets.filter((p) => p['dns.qry.name']);
    expect(dns.length).toBeGreaterThan(20);
    expect(dns.some((p) => p['tcp.srcport'] || p['tcp.dstport'])).toBe(true);
    expect(decoded.packets.some((p) => p['http.response.code']?.[0] === '200')).toBe(true);
  });
});
