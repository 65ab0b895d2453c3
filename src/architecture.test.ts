/**
 * The module map as a test (docs/architecture.md): imports point down the stack
 * sim, wire → trace → dataplane → apps → k8s → scenario → engine facade, the UI sees the engine
 * only through api types and the pure wire decoders, and engine code never reaches for the real
 * clock, Math.random, the DOM or Node APIs — so it runs the same in the worker, Node and tests.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

type Module = 'sim' | 'wire' | 'trace' | 'dataplane' | 'apps' | 'k8s' | 'scenario' | 'workloads' | 'facade' | 'api' | 'workers' | 'cli' | 'ui' | 'tests';

/** Which modules each module may import values from (itself always allowed). */
const ALLOWED: Record<Module, Module[]> = {
  sim: [],
  wire: [],
  trace: ['sim', 'wire'],
  dataplane: ['sim', 'wire', 'trace'],
  apps: ['sim', 'wire', 'trace', 'dataplane'],
  k8s: ['sim', 'wire', 'trace', 'dataplane', 'apps'],
  // scenario builds the world: it creates the Network its cluster lives on (docs/architecture.md).
  scenario: ['sim', 'wire', 'trace', 'dataplane', 'k8s', 'apps'],
  workloads: ['sim', 'wire', 'trace', 'dataplane', 'apps', 'k8s'],
  facade: ['sim', 'wire', 'trace', 'scenario', 'k8s', 'workloads', 'dataplane', 'apps'],
  api: [],
  workers: ['facade', 'api', 'trace', 'wire'],
  cli: ['facade', 'api', 'workloads', 'trace', 'wire', 'sim', 'scenario', 'k8s'],
  ui: ['api', 'wire'],
  tests: ['sim', 'wire', 'trace', 'dataplane', 'apps', 'k8s', 'scenario', 'workloads', 'facade', 'api', 'workers', 'cli', 'ui'],
};

/** Extra modules each may import *types* from. */
const TYPE_ONLY: Partial<Record<Module, Module[]>> = {
  api: ['sim', 'wire', 'trace', 'dataplane', 'apps', 'k8s', 'scenario', 'facade'],
  ui: ['trace'],
  facade: ['api'],
};

/** Packages each module may import. */
const PACKAGES: Record<Module, RegExp> = {
  sim: /^$/,
  wire: /^$/,
  trace: /^@noble\/hashes/,
  dataplane: /^$/,
  apps: /^$/,
  k8s: /^@noble\/hashes/,
  scenario: /^yaml$/,
  workloads: /^$/,
  facade: /^(@noble\/hashes|yaml)/,
  api: /^@msgpack\/msgpack$/,
  workers: /^(comlink|@msgpack\/msgpack)$/,
  // vite and @playwright/test: only the browser benchmark (src/cli/bench/browser.ts), imported when it runs.
  cli: /^(node:|esbuild|yaml|@msgpack|vite$|@playwright\/test$)/,
  ui: /^(lit|comlink|@msgpack\/msgpack)/,
  tests: /.*/,
};

function moduleOf(file: string): Module | null {
  const rel = relative(root, file).replaceAll('\\', '/');
  if (/\.(test|spec)\.ts$/.test(rel) || rel.includes('/testing/')) return 'tests';
  if (rel === 'src/engine/engine.ts' || rel.startsWith('src/engine/session')) return 'facade';
  const m = /^src\/engine\/([^/]+)\//.exec(rel);
  if (m) return (m[1] as Module) ?? null;
  if (rel.startsWith('src/api/')) return 'api';
  if (rel.startsWith('src/ui/')) return 'ui';
  if (rel.startsWith('src/cli/')) return 'cli';
  if (rel.startsWith('workers/')) return 'workers';
  return null;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;

interface Violation {
  file: string;
  spec: string;
  why: string;
}

function importViolations(): Violation[] {
  const out: Violation[] = [];
  for (const file of [...walk(join(root, 'src')), ...walk(join(root, 'workers'))]) {
    out.push(...fileImportViolations(file, readFileSync(file, 'utf8')));
  }
  return out;
}

function fileImportViolations(file: string, text: string): Violation[] {
  const out: Violation[] = [];
  const from = moduleOf(file);
  if (from && from !== 'tests') {
    for (const m of text.matchAll(IMPORT_RE)) {
      const typeOnly = !!m[2];
      const spec = m[3]!;
      const rel = relative(root, file);
      if (spec.startsWith('.')) {
        const target = moduleOf(resolve(dirname(file), spec));
        if (!target) {
          out.push({ file: rel, spec, why: 'imports a file outside the module map' });
          continue;
        }
        if (target === from) continue;
        if (target === 'tests') {
          out.push({ file: rel, spec, why: 'production code imports test code' });
          continue;
        }
        const ok = ALLOWED[from].includes(target) || (typeOnly && (TYPE_ONLY[from] ?? []).includes(target));
        if (!ok) out.push({ file: rel, spec, why: `${from} must not import ${typeOnly ? 'types from ' : ''}${target}` });
      } else if (!typeOnly && !PACKAGES[from].test(spec)) {
        out.push({ file: rel, spec, why: `${from} must not import the package ${spec}` });
      }
    }
  }
  return out;
}

const FORBIDDEN_IN_ENGINE: [RegExp, string][] = [
  [/\bMath\.random\s*\(/, 'Math.random (use the simulation’s seeded streams)'],
  [/\bDate\.now\s*\(|\bnew Date\s*\(/, 'the real clock (Date)'],
  [/\bperformance\.now\s*\(/, 'the real clock (performance.now)'],
  [/\bset(Timeout|Interval|Immediate)\s*\(/, 'real timers'],
  [/\b(document|window|navigator|localStorage)\./, 'the DOM'],
  [/\bprocess\.|\brequire\s*\(|\bBuffer\./, 'Node APIs'],
  [/\beval\s*\(|\bnew Function\s*\(/, 'eval'],
];

function engineGlobalsViolations(): Violation[] {
  const out: Violation[] = [];
  for (const file of walk(join(root, 'src', 'engine'))) {
    const mod = moduleOf(file);
    if (mod === 'tests') continue;
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
      for (const [re, what] of FORBIDDEN_IN_ENGINE) {
        if (re.test(code)) out.push({ file: `${relative(root, file)}:${i + 1}`, spec: line.trim(), why: `engine code uses ${what}` });
      }
    });
  }
  return out;
}

/** eval and its relatives, and raw HTML sinks, anywhere in the shipped code. */
function unsafeCodeViolations(): Violation[] {
  const out: Violation[] = [];
  const patterns: [RegExp, string][] = [
    [/\beval\s*\(|\bnew Function\s*\(|\bset(Timeout|Interval)\s*\(\s*['"`]/, 'eval or a string evaluated as code'],
    [/\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|unsafeHTML|document\.write/, 'a raw HTML sink (scenario text must reach the DOM as text)'],
  ];
  for (const file of [...walk(join(root, 'src')), ...walk(join(root, 'workers'))]) {
    if (/\.(test|spec)\.ts$/.test(file)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        for (const [re, what] of patterns) if (re.test(code)) out.push({ file: `${relative(root, file)}:${i + 1}`, spec: line.trim(), why: `uses ${what}` });
      });
  }
  return out;
}

describe('architecture', () => {
  it('no eval, new Function or raw HTML sinks anywhere in src/ and workers/', () => {
    expect(unsafeCodeViolations()).toEqual([]);
  });

  it('imports point down the stack (docs/architecture.md)', () => {
    expect(importViolations()).toEqual([]);
  });

  it('engine code never uses the real clock, Math.random, the DOM or Node APIs', () => {
    expect(engineGlobalsViolations()).toEqual([]);
  });

  it('the checks can fail: wrong-way imports and packages are caught', () => {
    const host = join(root, 'src/engine/dataplane/host.ts');
    expect(fileImportViolations(host, "import { Cluster } from '../k8s/cluster.ts';\n").map((v) => v.why)).toEqual(['dataplane must not import k8s']);
    expect(fileImportViolations(host, "import { html } from 'lit';\n").map((v) => v.why)).toEqual(['dataplane must not import the package lit']);
    const ui = join(root, 'src/ui/app-shell.ts');
    expect(fileImportViolations(ui, "import { Host } from '../engine/dataplane/host.ts';\n")).toHaveLength(1);
    expect(fileImportViolations(ui, "import type { TraceRow } from '../api/engine-api.ts';\n")).toEqual([]);
    expect(FORBIDDEN_IN_ENGINE[0]![0].test('const x = Math.random();')).toBe(true);
  });
});
