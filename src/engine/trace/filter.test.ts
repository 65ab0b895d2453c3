import { describe, expect, it } from 'vitest';
import { compileFilter, filterTrace, type DisplayFilter } from './filter.ts';
import { TraceRecorder } from './recorder.ts';
import { LinkLayer, TraceKind, type TraceDetail } from './events.ts';
import { ipv4 } from '../wire/addr.ts';
import { DNS_TYPE, encodeDns } from '../wire/dns.ts';

// ---- hand-built frames -----------------------------------------------------------------------

const MAC_A = [0x02, 0, 0, 0, 0, 0x01];
const MAC_B = [0x02, 0, 0, 0, 0, 0x02];

interface Pkt {
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'icmp';
  sport?: number;
  dport?: number;
  /** TCP flags byte. */
  flags?: number;
  icmpType?: number;
  payload?: Uint8Array;
}

/** An IPv4 packet (no checksums: the filter never reads them). */
function ipPacket(p: Pkt): Uint8Array {
  const l4len = p.proto === 'tcp' ? 20 : 8;
  const pay = p.payload ?? new Uint8Array(0);
  const b = new Uint8Array(20 + l4len + pay.length);
  const dv = new DataView(b.buffer);
  b[0] = 0x45;
  dv.setUint16(2, b.length);
  b[8] = 64;
  b[9] = p.proto === 'tcp' ? 6 : p.proto === 'udp' ? 17 : 1;
  dv.setUint32(12, ipv4(p.src));
  dv.setUint32(16, ipv4(p.dst));
  if (p.proto === 'icmp') {
    b[20] = p.icmpType ?? 8;
  } else {
    dv.setUint16(20, p.sport ?? 0);
    dv.setUint16(22, p.dport ?? 0);
    if (p.proto === 'tcp') {
      b[32] = 5 << 4;
      b[33] = p.flags ?? 0x10;
    } else dv.setUint16(24, 8 + pay.length);
  }
  b.set(pay, 20 + l4len);
  return b;
}

function eth(type: number, payload: Uint8Array, dst = MAC_B, src = MAC_A): Uint8Array {
  const b = new Uint8Array(14 + payload.length);
  b.set(dst, 0);
  b.set(src, 6);
  b[12] = type >> 8;
  b[13] = type & 255;
  b.set(payload, 14);
  return b;
}

function arpRequest(sender: string, target: string): Uint8Array {
  const a = new Uint8Array(28);
  const dv = new DataView(a.buffer);
  dv.setUint16(0, 1);
  dv.setUint16(2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  dv.setUint16(6, 1);
  a.set(MAC_A, 8);
  dv.setUint32(14, ipv4(sender));
  dv.setUint32(24, ipv4(target));
  return eth(0x0806, a, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
}

const dnsQuery = (name: string): Uint8Array =>
  encodeDns({ id: 0x1234, rd: true, questions: [{ name, type: DNS_TYPE.A, class: 1 }], answers: [], authority: [], additional: [] });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A small trace with one event of each interesting shape; returns it and each event's index by name. */
function sampleTrace(): { trace: TraceRecorder; at: Record<string, number> } {
  const trace = new TraceRecorder();
  const at: Record<string, number> = {};
  let t = 0;
  const packet = (name: string, kind: TraceKind, host: string, iface: string, uid: number, link: LinkLayer, bytes: Uint8Array, detail?: TraceDetail) => {
    at[name] = trace.length;
    trace.packet(kind, (t += 1000), host, iface, uid, link, bytes, 0, bytes.length, detail);
  };
  const note = (name: string, kind: TraceKind, host: string, uid: number, detail: TraceDetail) => {
    at[name] = trace.length;
    trace.note(kind, (t += 1000), host, '', uid, detail);
  };
  packet('arp', TraceKind.Sent, 'client', 'eth0', 1, LinkLayer.Ethernet, arpRequest('10.2.1.3', '10.2.1.1'));
  packet('dnsQuery', TraceKind.Sent, 'client', 'eth0', 2, LinkLayer.Ethernet, eth(0x0800, ipPacket({ src: '10.2.1.3', dst: '10.96.0.10', proto: 'udp', sport: 40000, dport: 53, payload: dnsQuery('backend.default.svc.cluster.local.') })), { flow: 1 });
  packet('syn', TraceKind.Sent, 'client', 'eth0', 3, LinkLayer.Ethernet, eth(0x0800, ipPacket({ src: '10.2.1.3', dst: '10.96.5.5', proto: 'tcp', sport: 41000, dport: 8080, flags: 0x02 })), { flow: 1 });
  packet('synNat', TraceKind.Nat, 'node-1', 'cbr0', 3, LinkLayer.RawIpv4, ipPacket({ src: '10.2.1.3', dst: '10.2.2.4', proto: 'tcp', sport: 41000, dport: 8080, flags: 0x02 }), { flow: 1, manip: 'DNAT', hook: 'PREROUTING', before: 'a', after: 'b' });
  packet('synAck', TraceKind.Received, 'node-2', 'eth0', 4, LinkLayer.Ethernet, eth(0x0800, ipPacket({ src: '10.2.2.4', dst: '10.2.1.3', proto: 'tcp', sport: 8080, dport: 41000, flags: 0x12 })), { flow: 1 });
  packet('get', TraceKind.Sent, 'client', 'eth0', 5, LinkLayer.Ethernet, eth(0x0800, ipPacket({ src: '10.2.1.3', dst: '10.96.5.5', proto: 'tcp', sport: 41000, dport: 8080, flags: 0x18, payload: text('GET /hostname HTTP/1.1\r\nHost: backend\r\n\r\n') })), { flow: 1 });
  packet('web', TraceKind.Sent, 'kube-system/coredns-1', 'eth0', 6, LinkLayer.Ethernet, eth(0x0800, ipPacket({ src: '10.2.2.2', dst: '192.168.49.254', proto: 'tcp', sport: 42000, dport: 9999, flags: 0x18, payload: text('HTTP/1.1 200 OK\r\n\r\n') })), { flow: 2 });
  packet('ping', TraceKind.Sent, 'node-1', 'eth0', 7, LinkLayer.Ppp, new Uint8Array([0x00, 0x21, ...ipPacket({ src: '192.168.49.2', dst: '8.8.8.8', proto: 'icmp', icmpType: 8 })]));
  packet('drop', TraceKind.Drop, 'node-2', 'eth0', 8, LinkLayer.RawIpv4, ipPacket({ src: '10.2.1.3', dst: '10.2.2.9', proto: 'udp', sport: 5000, dport: 5001, payload: text('x') }), { reason: 'no route to host', flow: 3 });
  note('rule', TraceKind.Netfilter, 'node-1', 3, { hook: 'PREROUTING', table: 'nat', rule: '-A KUBE-SERVICES', verdict: 'DNAT', flow: 1 });
  note('ct', TraceKind.Conntrack, 'node-1', 3, { orig: 'x', reply: 'y', flow: 1 });
  note('app', TraceKind.App, 'control-plane', 0, { text: 'fault' });
  return { trace, at };
}

const { trace, at } = sampleTrace();

function compiled(expr: string): DisplayFilter {
  const c = compileFilter(expr);
  if (!c.ok) throw new Error(`${expr}: ${c.error}`);
  return c.filter;
}

/** The names of the sample events a filter matches, in trace order. */
function names(expr: string): string[] {
  const byIndex = Object.fromEntries(Object.entries(at).map(([k, v]) => [v, k]));
  return [...filterTrace(trace, compiled(expr))].map((i) => byIndex[i]!);
}

function errorOf(expr: string): string {
  const c = compileFilter(expr);
  if (c.ok) throw new Error(`${expr} compiled`);
  return c.error;
}

describe('display filter: protocols and event kinds', () => {
  it('an empty filter matches every event', () => {
    expect(filterTrace(trace, compiled('  ')).length).toBe(trace.length);
  });

  it('bare protocol words test the bytes', () => {
    expect(names('arp')).toEqual(['arp']);
    expect(names('dns')).toEqual(['dnsQuery']);
    expect(names('http')).toEqual(['get', 'web']);
    expect(names('icmp')).toEqual(['ping']);
    expect(names('udp')).toEqual(['dnsQuery', 'drop']);
    expect(names('tcp')).toEqual(['syn', 'synNat', 'synAck', 'get', 'web']);
    expect(names('eth').length).toBe(6);
    expect(names('ip')).toEqual(['dnsQuery', 'syn', 'synNat', 'synAck', 'get', 'web', 'ping', 'drop']);
    expect(names('!arp').length).toBe(trace.length - 1);
  });

  it('bare kind words and the kind field', () => {
    expect(names('nat')).toEqual(['synNat']);
    expect(names('drop')).toEqual(['drop']);
    expect(names('netfilter || conntrack')).toEqual(['rule', 'ct']);
    expect(names('kind == nat')).toEqual(['synNat']);
    expect(names('kind == NAT')).toEqual(['synNat']);
    expect(names('kind != sent')).toEqual(['synNat', 'synAck', 'drop', 'rule', 'ct', 'app']);
    expect(names('app')).toEqual(['app']);
  });
});

describe('display filter: fields', () => {
  it('ip.addr matches either address; ip.src and ip.dst one', () => {
    expect(names('ip.addr == 10.2.2.4')).toEqual(['synNat', 'synAck']);
    expect(names('ip.src == 10.2.2.4')).toEqual(['synAck']);
    expect(names('ip.dst == 10.2.2.4')).toEqual(['synNat']);
  });

  it('CIDRs for address fields', () => {
    expect(names('ip.dst == 10.96.0.0/12')).toEqual(['dnsQuery', 'syn', 'get']);
    expect(names('ip.addr == 192.168.49.0/24')).toEqual(['web', 'ping']);
    expect(names('ip.addr == 0.0.0.0/0').length).toBe(8);
  });

  it('ports, with && binding tighter than ||', () => {
    expect(names('ip.addr == 10.2.2.4 && tcp.port == 8080')).toEqual(['synNat', 'synAck']);
    expect(names('tcp.dstport == 8080')).toEqual(['syn', 'synNat', 'get']);
    expect(names('udp.port == 53 || tcp.srcport == 8080 && ip.dst == 10.2.1.3')).toEqual(['dnsQuery', 'synAck']);
    expect(names('(udp.port == 53 || tcp.srcport == 8080) && ip.dst == 10.2.1.3')).toEqual(['synAck']);
    expect(names('udp.srcport <= 5000 and udp.dstport lt 5002')).toEqual(['drop']);
  });

  it('!= is "present and no value equal", as in Wireshark', () => {
    expect(names('tcp.port != 8080')).toEqual(['web']);
    expect(names('!(tcp.port == 8080)')).toEqual(['arp', 'dnsQuery', 'web', 'ping', 'drop', 'rule', 'ct', 'app']);
  });

  it('tcp flags, icmp type, frame length', () => {
    expect(names('tcp.flags.syn && !tcp.flags.ack')).toEqual(['syn', 'synNat']);
    expect(names('tcp.flags.syn == 1 and tcp.flags.ack == 1')).toEqual(['synAck']);
    expect(names('tcp.flags.push')).toEqual(['get', 'web']);
    expect(names('tcp.flags.rst || tcp.flags.fin')).toEqual([]);
    expect(names('icmp.type == 8')).toEqual(['ping']);
    expect(names('frame.len > 90')).toEqual(['dnsQuery', 'get']);
  });

  it('dns.qry.name: ==, contains, trailing dot and case ignored', () => {
    expect(names('dns.qry.name == backend.default.svc.cluster.local')).toEqual(['dnsQuery']);
    expect(names('dns.qry.name == "Backend.default.svc.cluster.local."')).toEqual(['dnsQuery']);
    expect(names('dns.qry.name contains svc')).toEqual(['dnsQuery']);
    expect(names('dns.qry.name contains nothing-here')).toEqual([]);
  });

  it('eth addresses', () => {
    expect(names('eth.dst == ff:ff:ff:ff:ff:ff')).toEqual(['arp']);
    expect(names('eth.addr == 02:00:00:00:00:02 && http')).toEqual(['get', 'web']);
  });

  it('kubewire fields: host, iface, flow, uid', () => {
    expect(names('host == node-1')).toEqual(['synNat', 'ping', 'rule', 'ct']);
    expect(names('host == "kube-system/coredns-1"')).toEqual(['web']);
    expect(names('host contains coredns')).toEqual(['web']);
    expect(names('iface == cbr0')).toEqual(['synNat']);
    expect(names('flow == 2 or flow == 3')).toEqual(['web', 'drop']);
    expect(names('!flow')).toEqual(['arp', 'ping', 'app']);
    expect(names('uid == 3')).toEqual(['syn', 'synNat', 'rule', 'ct']);
    expect(names('not uid')).toEqual(['app']);
  });
});

describe('display filter: errors name the column', () => {
  it.each([
    ['ip.addr == ', "expected a value after '==' at column 12"],
    ['ip.addr == 10.2.1.4 && tcp.port ==', "expected a value after '==' at column 35"],
    ['ip.addr = 10.2.1.4', "'=' is not an operator (did you mean '=='?) at column 9"],
    ['tcp & udp', "'&' is not an operator (did you mean '&&'?) at column 5"],
    ['tcp &&', "expected a field, protocol or event kind after '&&' at column 7, got the end of the filter"],
    ['(tcp || udp', "expected ')' at column 12 to close the '(' at column 1, got the end of the filter"],
    ['tcp)', "unexpected ')' at column 4 (no '(' to close)"],
    ['tcp udp', "expected '&&', '||' or the end of the filter at column 5, got 'udp'"],
    ['ip.adr == 1.2.3.4', "unknown field, protocol or event kind 'ip.adr' at column 1"],
    ['kind == nta', "unknown kind 'nta' (one of sent, received, netfilter, nat, conntrack, route, delivered, drop, l2, app) at column 9"],
    ['ip.addr == 10.2.0.0/33', "expected an IPv4 address or CIDR after '==', got '10.2.0.0/33' at column 12"],
    ['ip.addr == node-1', "expected an IPv4 address or CIDR after '==', got 'node-1' at column 12"],
    ['tcp.port == http', "expected a number after '==', got 'http' at column 13"],
    ['host > b', "'>' at column 6 needs a numeric field; host is text (use ==, != or contains)"],
    ['tcp.port contains 80', "'contains' at column 10 needs a text field; tcp.port is number"],
    ['ip.src < 10.0.0.0/8', "a CIDR can only be compared with == or !=, not '<' at column 10"],
    ['host == "node-1', 'unterminated string starting at column 9'],
    ['nat == 1', "'nat' at column 1 is a protocol or event kind, not a field: it cannot be compared with '=='"],
    ['tcp.port == 80 $', "unexpected character '$' at column 16"],
  ])('%s', (expr, msg) => {
    expect(errorOf(expr)).toContain(msg);
  });

  it('reports the column separately too', () => {
    const c = compileFilter('ip.addr == ');
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.column).toBe(12);
  });
});

describe('display filter: speed', () => {
  it('filters a million events without a per-event object graph', () => {
    const big = new TraceRecorder();
    const frames = [
      eth(0x0800, ipPacket({ src: '10.2.1.3', dst: '10.96.5.5', proto: 'tcp', sport: 41000, dport: 8080, flags: 0x18, payload: text('GET / HTTP/1.1\r\n\r\n') })),
      eth(0x0800, ipPacket({ src: '10.2.2.4', dst: '10.2.1.3', proto: 'tcp', sport: 8080, dport: 41000, flags: 0x10 })),
      eth(0x0800, ipPacket({ src: '10.2.1.3', dst: '10.96.0.10', proto: 'udp', sport: 40000, dport: 53, payload: dnsQuery('backend.default.svc.cluster.local.') })),
      arpRequest('10.2.1.3', '10.2.1.1'),
    ];
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      if (i % 5 === 4) big.note(TraceKind.Netfilter, i, 'node-1', 'cbr0', i, { verdict: 'ACCEPT', flow: i % 7 });
      else {
        const f = frames[i % 4]!;
        big.packet(i % 3 === 0 ? TraceKind.Sent : TraceKind.Received, i, i % 2 ? 'node-1' : 'client', 'eth0', i, LinkLayer.Ethernet, f, 0, f.length, { flow: i % 7 });
      }
    }
    const timings: Record<string, number> = {};
    for (const expr of ['ip.addr == 10.2.2.4 && tcp.port == 8080', 'dns', 'nat || drop', '!arp', 'dns.qry.name contains backend', 'host == node-1 && flow == 3']) {
      const f = compiled(expr);
      const t0 = performance.now();
      const hits = filterTrace(big, f);
      timings[expr] = Math.round(performance.now() - t0);
      expect(hits.length).toBeGreaterThanOrEqual(0);
    }
    console.log(`filter over ${N} events (ms):`, timings);
    // Speed is the benchmark's business (docs/performance.md); this checks the scan is complete.
    expect(filterTrace(big, compiled('nat')).length).toBe(0);
    expect(filterTrace(big, compiled('netfilter')).length).toBe(N / 5);
  }, 120_000);
});
