import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/rng.ts';
import { canonicalJson, computeHash, fnv32a, generateName, randomUid, safeEncodeString, SAFE_ALPHABET } from './names.ts';
import { formatPath, parsePath } from './problems.ts';

describe('names', () => {
  it('safe-encodes decimal digits into "bcdf456789" as apimachinery does', () => {
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });

  it('hashes templates independently of key order, in the safe alphabet', () => {
    const a = computeHash({ metadata: { labels: { app: 'web', tier: 'api' } }, spec: { containers: [{ name: 'c' }] } });
    const b = computeHash({ spec: { containers: [{ name: 'c' }] }, metadata: { labels: { tier: 'api', app: 'web' } } });
    expect(a).toBe(b);
    expect(a).toMatch(/^[bcdf4-9]{1,10}$/);
    expect(computeHash({ x: 1 })).not.toBe(computeHash({ x: 2 }));
    expect(computeHash({ x: 1 }, 1)).not.toBe(computeHash({ x: 1 }));
  });

  it('is FNV-1a over UTF-8', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(canonicalJson({ b: 1, a: [undefined, { d: undefined, c: 'x' }] })).toBe('{"a":[null,{"c":"x"}],"b":1}');
  });

  it('completes generateName with 5 safe characters from the stream, cutting long prefixes to 58', () => {
    const n1 = generateName('web-', new Rng(1).stream('names/default/web'));
    const n2 = generateName('web-', new Rng(1).stream('names/default/web'));
    expect(n1).toBe(n2);
    expect(n1).toMatch(new RegExp(`^web-[${SAFE_ALPHABET}]{5}$`));
    expect(generateName('x'.repeat(70), new Rng(1).stream('s'))).toHaveLength(63);
  });

  it('makes version-4 uids', () => {
    expect(randomUid(new Rng(3).stream('u'))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('field paths', () => {
  it('writes plain keys after dots and other keys in brackets, and reads them back', () => {
    const segs = ['metadata', 'labels', 'app.kubernetes.io/name'];
    expect(formatPath(segs)).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(parsePath(formatPath(segs))).toEqual(segs);
    expect(formatPath(['spec', 'ports', 1, 'name'])).toBe('spec.ports[1].name');
    expect(parsePath('spec.ports[1].name')).toEqual(['spec', 'ports', 1, 'name']);
    expect(formatPath(['metadata', 'labels', 'k8s-app'])).toBe('metadata.labels.k8s-app');
    expect(parsePath('spec..x')).toBeNull();
  });
});
