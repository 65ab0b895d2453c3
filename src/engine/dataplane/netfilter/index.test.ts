/**
 * The chain index must be invisible: indexed evaluation (`traverse`) and a plain linear scan
 * (`traverseLinear`) give the same verdict, NAT, mark, rulesEvaluated, matched path, random
 * draws and recent-list state, over random rulesets and random packets (eval.ts module doc).
 * Plus the point of it: a 10,000-service KUBE-SERVICES costs about O(1) per packet.
 */
import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4 } from '../../wire/addr.ts';
import { RandomStream } from '../../sim/rng.ts';
import { compileTable, INDEX_MIN, resetTraverseResult, traverse, traverseLinear } from './eval.ts';
import { Netfilter } from './netfilter.ts';
import { formatRestoreError } from './restore.ts';
import { CtState, Hook, newTraverseResult, type NfEnv, type NfPacket, type TraverseResult } from './types.ts';

const VIPS = Array.from({ length: 6 }, (_, i) => `172.30.0.${i + 1}`);
const SRCS = ['10.1.0.1', '10.1.0.2', '192.168.0.9', '172.30.0.1'];
const PORTS = [53, 80, 443, 8080];
const PROTOS = ['tcp', 'udp'];

/** A random nat ruleset: one big chain hung off PREROUTING plus chains it jumps to (no loops). */
function randomRuleset(rng: RandomStream): string {
  const pick = <T,>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)]!;
  const nChains = 6;
  const names = ['BIG', ...Array.from({ length: nChains - 1 }, (_, i) => `S${i + 1}`)];
  const lines: string[] = ['*nat', ...names.map((n) => `:${n} - [0:0]`)];
  const prob = () => pick(['0.1', '0.3333333333', '0.5', '0.9']);
  const rule = (ci: number): string => {
    // Targets: a later chain (jump or goto), or a verdict.
    const later = names.slice(ci + 1);
    const target = (): string => {
      const k = rng.int(0, 9);
      if (later.length && k < 4) return `${k < 3 ? '-j' : '-g'} ${pick(later)}`;
      if (k === 4) return '-j RETURN';
      if (k === 5) return '-j ACCEPT';
      if (k === 6) return '-j DROP';
      if (k === 7) return `-j MARK --xor-mark 0x${pick([1, 2, 4]).toString(16)}`;
      if (k === 8) return '';
      return `-j DNAT --to-destination 10.180.0.${rng.int(1, 9)}`;
    };
    const vip = pick(VIPS);
    const port = pick(PORTS);
    const proto = pick(PROTOS);
    const list = `L${rng.int(1, 3)}`;
    switch (rng.int(0, 19)) {
      case 0:
      case 1:
      case 2:
        return `-m comment --comment "svc ${vip}:${port}" -m ${proto} -p ${proto} -d ${vip} --dport ${port} ${target()}`;
      case 3:
        return `-d ${vip} ${target()}`;
      case 4:
        return `-p ${proto} --dport ${port} ${target()}`;
      case 5:
        return `-d ${vip} -m statistic --mode random --probability ${prob()} -p ${proto} -m ${proto} --dport ${port} ${target()}`;
      case 6:
        return `-p ${proto} -m statistic --mode random --probability ${prob()} -m ${proto} --dport ${port} ${target()}`;
      case 7:
        return `-s ${pick(SRCS)}/${pick([8, 16, 32])} -j MARK --or-mark 0x1`;
      case 8:
        return `-m mark --mark 0x1/0x1 -p ${proto} --dport ${port} ${target()}`;
      case 9:
        return `-d ${vip}/24 ${target()}`;
      case 10:
        return `! -d ${vip} -p ${proto} --dport ${port} ${target()}`;
      case 11:
        return `-p ${proto} ! --dport ${port} ${target()}`;
      case 12:
        return `-m recent --name ${list} --rcheck --seconds 3 --reap -p ${proto} --dport ${port} ${target()}`;
      case 13:
        return `-p ${proto} --dport ${port} -m recent --name ${list} --set ${target()}`;
      case 14:
        return `-d ${vip} -p ${proto} -m multiport --dports ${port},${pick(PORTS)} ${target()}`;
      case 15:
        return `-p ${proto} --sport ${port} ${target()}`;
      case 16:
        return `-m comment --comment note -d ${vip} -p ${proto} --dport ${port}`;
      case 17:
        return `-m addrtype --dst-type LOCAL ${target()}`;
      case 18:
        return `-d ${vip} -p ${proto} --dport ${port} -m statistic --mode random --probability ${prob()} ${target()}`;
      default:
        return `! -s 10.0.0.0/8 -d ${vip} -p ${proto} -m ${proto} --dport ${port} -m recent --name ${list} --update --seconds 2 ${target()}`;
    }
  };
  names.forEach((n, ci) => {
    const count = ci === 0 ? rng.int(20, 300) : rng.int(0, 2 * INDEX_MIN);
    for (let i = 0; i < count; i++) lines.push(`-A ${n} ${rule(ci)}`.trimEnd());
  });
  lines.push('-A PREROUTING -j MARK --set-xmark 0x0/0xffffffff', '-A PREROUTING -j BIG', 'COMMIT', '');
  return lines.join('\n');
}

function load(text: string): Netfilter {
  const nf = new Netfilter();
  const r = nf.restore(text, { noflush: true });
  if (!r.ok) throw new Error(`${r.errors.map(formatRestoreError).join('\n')}\n${text}`);
  return nf;
}

/** A host env over a seeded stream, counting draws; `now` advances by the test. */
class Env implements NfEnv {
  now = 0;
  draws = 0;
  private readonly rng: RandomStream;
  constructor(seed: number) {
    this.rng = new RandomStream(seed);
  }
  isLocal(a: number): boolean {
    return a === ipv4('172.30.0.3');
  }
  random(): number {
    this.draws++;
    return this.rng.next();
  }
}

function snapshot(out: TraverseResult, p: NfPacket, env: Env) {
  return {
    verdict: out.verdict,
    nat: out.nat,
    addr: out.natAddrMin,
    ports: [out.natPortMin, out.natPortMax],
    byPolicy: out.byPolicy,
    rulesEvaluated: out.rulesEvaluated,
    path: out.path.map((r) => `${r.chain}#${r.index} ${r.text}`),
    mark: p.mark,
    draws: env.draws,
  };
}

describe('indexed evaluation equals a linear scan', () => {
  it('over random rulesets and packets (verdict, NAT, mark, counts, path, draws, recent state)', () => {
    const meta = new RandomStream(2024);
    let indexedChains = 0;
    for (let trial = 0; trial < 60; trial++) {
      const text = randomRuleset(meta);
      const a = load(text);
      const b = load(text);
      const ct = compileTable(a.table('nat'));
      for (const c of ct.chains.values()) if (c.index !== null) indexedChains++;
      const envA = new Env(trial);
      const envB = new Env(trial);
      const outA = newTraverseResult();
      const outB = newTraverseResult();
      const pr = new RandomStream(1000 + trial);
      for (let i = 0; i < 400; i++) {
        const proto = pr.int(0, 9) === 0 ? 1 : pr.int(0, 1) ? 6 : 17;
        const base: NfPacket = {
          src: ipv4(SRCS[pr.int(0, SRCS.length - 1)]!),
          dst: pr.int(0, 9) === 0 ? ipv4(`172.30.0.${pr.int(50, 60)}`) : ipv4(VIPS[pr.int(0, VIPS.length - 1)]!),
          proto,
          sport: proto === 1 ? 0 : PORTS[pr.int(0, PORTS.length - 1)]!,
          dport: proto === 1 ? 0 : PORTS[pr.int(0, PORTS.length - 1)]!,
          icmpType: proto === 1 ? 8 : -1,
          inIface: 'eth0',
          outIface: '',
          mark: pr.int(0, 3),
          ctState: CtState.NEW,
        };
        const pa = { ...base };
        const pb = { ...base };
        envA.now = envB.now = i * 250_000_000; // 4 packets per second: recent timeouts come into play
        const record = (i & 1) === 0;
        resetTraverseResult(outA);
        resetTraverseResult(outB);
        traverse(a.table('nat'), Hook.PREROUTING, pa, envA, outA, record);
        traverseLinear(b.table('nat'), Hook.PREROUTING, pb, envB, outB, record);
        const sa = snapshot(outA, pa, envA);
        const sb = snapshot(outB, pb, envB);
        if (JSON.stringify(sa) !== JSON.stringify(sb)) {
          expect({ trial, i, pkt: `${formatIpv4(base.src)} -> ${formatIpv4(base.dst)}:${base.dport}/${base.proto}`, ...sa }).toEqual({
            trial,
            i,
            pkt: `${formatIpv4(base.src)} -> ${formatIpv4(base.dst)}:${base.dport}/${base.proto}`,
            ...sb,
          });
        }
      }
      const lists = (nf: Netfilter) => [...nf.state.recent].map(([n, l]) => [n, [...l.entries].map(([k, e]) => [k, e.count, e.last])]);
      expect(lists(a)).toEqual(lists(b));
      expect(a.save({ counters: true })).toBe(b.save({ counters: true }));
    }
    expect(indexedChains).toBeGreaterThan(60);
  });
});

describe('a 10,000-service KUBE-SERVICES', () => {
  const N = 10_000;
  const vip = (i: number) => `10.96.${(i >> 8) & 255}.${i & 255}`;
  const text = (() => {
    const l = ['*nat', ':KUBE-SERVICES - [0:0]', ':KUBE-NODEPORTS - [0:0]', ':KUBE-SVC-A - [0:0]', ':KUBE-SVC-B - [0:0]'];
    for (let i = 0; i < N; i++) {
      l.push(`-A KUBE-SERVICES -m comment --comment "ns/svc${i}:http cluster IP" -m tcp -p tcp -d ${vip(i)} --dport 80 -j KUBE-SVC-${i & 1 ? 'B' : 'A'}`);
    }
    for (let i = 0; i < 500; i++) l.push(`-A KUBE-NODEPORTS -m comment --comment ns/svc${i}:http -m tcp -p tcp --dport ${30000 + i} -j KUBE-SVC-A`);
    l.push(
      '-A KUBE-SVC-A -p tcp -j DNAT --to-destination 10.180.0.1:8080',
      '-A KUBE-SVC-B -p tcp -j DNAT --to-destination 10.180.0.2:8080',
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      'COMMIT',
      '',
    );
    return l.join('\n');
  })();

  it('loads, evaluates through the index as a linear walk would, and counts rules the same way', () => {
    const nf = load(text);
    const env: NfEnv = { now: 0, isLocal: (a) => a === ipv4('192.168.0.10'), random: () => 0 };
    const out = newTraverseResult();
    const p: NfPacket = { src: ipv4('10.1.0.5'), dst: 0, proto: 6, sport: 40000, dport: 80, icmpType: -1, inIface: 'eth0', outIface: '', mark: 0, ctState: CtState.NEW };
    const t = nf.table('nat');

    p.dst = ipv4(vip(N - 1));
    resetTraverseResult(out);
    traverse(t, Hook.PREROUTING, p, env, out, true);
    expect(out.natAddrMin).toBe(ipv4('10.180.0.2'));
    expect(out.rulesEvaluated).toBe(1 + N + 1);
    expect(out.path.map((r) => r.index)).toEqual([1, N, 1]);

    // A NodePort: all services, the last KUBE-SERVICES rule, then 300 NodePort rules.
    Object.assign(p, { dst: ipv4('192.168.0.10'), dport: 30299 });
    resetTraverseResult(out);
    traverse(t, Hook.PREROUTING, p, env, out, false);
    expect(out.rulesEvaluated).toBe(1 + (N + 1) + 300 + 1);

    // The indexed walk gives the same answers as the linear one for every service (speed itself
    // is measured by the benchmark, not asserted here).
    for (let i = 0; i < N; i += 97) {
      p.dst = ipv4(vip(i));
      p.dport = 80;
      const a = newTraverseResult();
      const b = newTraverseResult();
      traverse(t, Hook.PREROUTING, p, env, a, false);
      traverseLinear(t, Hook.PREROUTING, p, env, b, false);
      expect([a.natAddrMin, a.rulesEvaluated]).toEqual([b.natAddrMin, b.rulesEvaluated]);
    }
  });
});
