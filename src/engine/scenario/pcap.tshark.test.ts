/**
 * The scenarios' captures in tshark: every frame of the ClusterIP (DNS through kube-dns, the
 * Ingress, HTTP) and LoadBalancer scenarios decodes with no malformed packets or warnings, and
 * tshark's DNS fields equal what the trace's own decoder says.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from './run.ts';
import { tracePcapng } from '../trace/export.ts';
import { tsharkAvailable, tsharkDecode } from '../../testing/tshark.ts';
import { parseDns, DNS_TYPE } from '../wire/dns.ts';
import { formatIpv4 } from '../wire/addr.ts';
import { LinkLayer } from '../trace/events.ts';

const root = join(__dirname, '..', '..', '..');

describe.skipIf(!tsharkAvailable() && !process.env.CI)('scenario captures in tshark', () => {
  for (const [file, minDns] of [['clusterip.yaml', 10], ['loadbalancer.yaml', 0]] as const) {
    it(`${file}: no malformed frames or warnings; DNS fields equal the trace's`, () => {
      const r = runScenario(readFileSync(join(root, 'scenarios', file), 'utf8'), file);
      const trace = r.world!.trace;
      const frames = [...trace.events()].filter((e) => (e.kind === 'sent' || e.kind === 'received') && e.bytes);
      const decoded = tsharkDecode(tracePcapng(trace));
      expect(decoded.malformed).toBe(0);
      expect(decoded.expertWarnings).toEqual([]);
      expect(decoded.packets).toHaveLength(frames.length);
      let dnsFrames = 0;
      decoded.packets.forEach((p, i) => {
        const ev = frames[i]!;
        const b = ev.bytes!;
        if (ev.link !== LinkLayer.Ethernet || b[12] !== 0x08 || b[13] !== 0x00 || b[23] !== 17) return;
        const l4 = 14 + (b[14]! & 15) * 4;
        if (((b[l4]! << 8) | b[l4 + 1]!) !== 53 && ((b[l4 + 2]! << 8) | b[l4 + 3]!) !== 53) return;
        const msg = parseDns(b, l4 + 8, b.length - l4 - 8);
        expect(msg.ok).toBe(true);
        if (!msg.ok) return;
        dnsFrames++;
        const m = msg.repr;
        expect(p['dns.id']?.[0]).toBe(`0x${m.id.toString(16).padStart(4, '0')}`);
        expect(p['dns.qry.name']?.[0]).toBe(m.questions[0]!.name.replace(/\.$/, ''));
        const ours = m.answers.filter((a) => a.type === DNS_TYPE.A).map((a) => formatIpv4((a.data as { address: number }).address));
        expect(p['dns.a'] ?? []).toEqual(ours);
        expect(Number(p['dns.flags.rcode']?.[0] ?? 0)).toBe(m.rcode ?? 0);
      });
      expect(dnsFrames).toBeGreaterThanOrEqual(minDns);
    });
  }
});
