import { describe, expect, it } from 'vitest';
import { ns3Figures, parseFigure, parseKeyValues } from './peer-ns3.ts';

// The shape ns3-star prints: one header line with several pairs, then one pair per line.
const OUTPUT = [
  'peer=ns3 version=3.40 profile=debian scheduler=map qdisc=none k=16 servers=0 packets=1000 size=100',
  'setup_s=0.010',
  'run_wall_s=0.500',
  'requests_delivered=1000',
  'echoes_delivered=998',
  'packet_hops=3996',
  'events=9162',
  'events_per_s=18324',
  'maxrss_mb=17.5',
  '',
].join('\n');

describe('parseKeyValues', () => {
  it('reads several pairs per line, one pair per line, and ignores other text', () => {
    expect(parseKeyValues('a=1 b=x\r\nc=2.5\nnot a pair\n =3 d= e=f=g\n')).toEqual({
      a: '1',
      b: 'x',
      c: '2.5',
      d: '',
      e: 'f=g',
    });
  });

  it('lets a later key win', () => {
    expect(parseKeyValues('a=1\na=2')).toEqual({ a: '2' });
  });
});

describe('parseFigure', () => {
  it('turns plain decimals into numbers and leaves the rest as strings', () => {
    expect(parseFigure('44160000000')).toBe(44160000000);
    expect(parseFigure('0.009')).toBe(0.009);
    expect(parseFigure('-1.5e3')).toBe(-1500);
    expect(parseFigure('debian')).toBe('debian');
    expect(parseFigure('1Gbps')).toBe('1Gbps');
    expect(parseFigure('')).toBe('');
  });
});

describe('ns3Figures', () => {
  it('names the figures and keeps every printed pair', () => {
    const f = ns3Figures(OUTPUT, { processSeconds: 0.6, peakRssMb: 18.25 });
    expect(f).toMatchObject({
      seconds: 0.5,
      setupSeconds: 0.01,
      processSeconds: 0.6,
      events: 9162,
      packetHops: 3996,
      deliveries: 998,
      requestsDelivered: 1000,
      eventsPerSecond: 18324,
      packetHopsPerSecond: 7992,
      rttSumNs: null,
      rttMaxNs: null,
      peakRssMb: 18.25,
      peakRssSource: 'time',
      peer: 'ns3',
      version: '3.40',
      k: 16,
      servers: 0,
      packets: 1000,
      maxrss_mb: 17.5,
    });
  });

  it('reads RTTs when the peer ran with --check, and falls back to its own maxrss', () => {
    const f = ns3Figures(`${OUTPUT}rtt_sum_ns=44160000000\nrtt_max_ns=44160\n`);
    expect(f.rttSumNs).toBe(44160000000);
    expect(f.rttMaxNs).toBe(44160);
    expect(f.peakRssMb).toBe(17.5);
    expect(f.peakRssSource).toBe('peer');
  });

  it('rejects output without the required figures', () => {
    expect(() => ns3Figures(OUTPUT.replace('packet_hops=3996', ''))).toThrow(/packet_hops/);
    expect(() => ns3Figures('Segmentation fault')).toThrow(/run_wall_s/);
  });
});
