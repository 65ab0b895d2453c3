/**
 * Shared settings and helpers of the property-based fuzz suites (fast-check), used by the
 * `*fuzz.test.ts` files under src/engine.
 *
 * - `KUBEWIRE_FUZZ_RUNS`: cases per target (default {@link DEFAULT_FUZZ_RUNS}, sized so every
 *   target gets at least 10,000 cases while the whole fuzz suite stays under about a minute on
 *   a 2-core machine). Expensive targets run a stated fraction of it (see each `scale`).
 * - `KUBEWIRE_FUZZ_SEED`: the 32-bit seed. Unset: a fixed seed under CI (a red CI run is never
 *   a coin flip), a fresh random one elsewhere. A failure prints the seed and the command that
 *   replays it.
 * - `KUBEWIRE_FUZZ_REPORT=1`: print cases and time per target (the `npm run fuzz` script sets it).
 *
 * Also holds the text mutators the scenario and iptables-restore fuzzers share.
 */
import { relative } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';

/** Cases per target when KUBEWIRE_FUZZ_RUNS is unset. */
export const DEFAULT_FUZZ_RUNS = 10_000;

/** The seed used under CI when KUBEWIRE_FUZZ_SEED is unset. */
const CI_SEED = 0x6b77_2025;

function envInt(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v.trim());
  if (!Number.isInteger(n)) throw new Error(`${name}=${v} is not an integer`);
  return n;
}

/** Cases per target. */
export const FUZZ_RUNS: number = Math.max(1, envInt('KUBEWIRE_FUZZ_RUNS') ?? DEFAULT_FUZZ_RUNS);

/** The seed every property of this process starts from. */
export const FUZZ_SEED: number =
  envInt('KUBEWIRE_FUZZ_SEED') ?? (process.env.CI && process.env.CI !== 'false' ? CI_SEED : (Date.now() ^ Math.floor(Math.random() * 0x1_0000_0000)) | 0);

const REPORT = process.env.KUBEWIRE_FUZZ_REPORT === '1';
let seedReported = false;

// An arbitrary with a maxLength uses all of it (fast-check otherwise keeps sizes "small", a
// dozen elements or so, and a 300-byte frame would never be generated).
fc.configureGlobal({ ...fc.readConfigureGlobal(), defaultSizeToMaxWhenMaxSpecified: true });

/** The cases a target runs: FUZZ_RUNS × scale (at least 1). */
export function fuzzRuns(scale = 1): number {
  return Math.max(1, Math.round(FUZZ_RUNS * scale));
}

/**
 * A vitest timeout for a target that runs `fuzzRuns(scale)` cases of about `msPerCase` each:
 * generous (shrinking a failure takes time too), never below two minutes.
 */
export function fuzzTimeout(msPerCase: number, scale = 1): number {
  return Math.max(120_000, Math.ceil(fuzzRuns(scale) * msPerCase * 6));
}

/**
 * Runs `property` for `fuzzRuns(scale)` cases from {@link FUZZ_SEED}; throws with the
 * counterexample, the seed and a replay command when it fails.
 */
export function fuzzCheck<Ts>(name: string, property: fc.IProperty<Ts>, scale = 1): void {
  const numRuns = fuzzRuns(scale);
  if (REPORT && !seedReported) {
    seedReported = true;
    console.log(`fuzz: seed ${FUZZ_SEED}, ${FUZZ_RUNS} cases per target`);
  }
  const t0 = performance.now();
  const out = fc.check(property, { numRuns, seed: FUZZ_SEED });
  const ms = performance.now() - t0;
  if (REPORT) console.log(`fuzz ${name}: ${out.numRuns} cases in ${(ms / 1000).toFixed(1)} s`);
  if (out.failed) {
    const state = expect.getState();
    const file = state.testPath ? relative(process.cwd(), state.testPath) : 'src';
    const title = (state.currentTestName ?? name).split(' > ').pop()!;
    const pattern = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const replay = `KUBEWIRE_FUZZ_SEED=${out.seed} KUBEWIRE_FUZZ_RUNS=${FUZZ_RUNS} npx vitest run ${file} -t ${JSON.stringify(pattern)}`;
    throw new Error(`fuzz target "${name}" failed (seed ${out.seed}, path ${out.counterexamplePath ?? '?'}); replay with:\n  ${replay}\n${fc.defaultReportMessage(out) ?? ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Text mutations (line, word and character edits of a real file)

/** One edit of a text; indices are taken modulo the current size, so any value applies. */
export type TextMutation =
  | { readonly op: 'deleteLine'; readonly line: number }
  | { readonly op: 'duplicateLine'; readonly line: number }
  | { readonly op: 'swapLines'; readonly a: number; readonly b: number }
  | { readonly op: 'moveLine'; readonly line: number; readonly to: number }
  | { readonly op: 'indent'; readonly line: number; readonly delta: number }
  | { readonly op: 'swapValues'; readonly a: number; readonly b: number }
  | { readonly op: 'replaceValue'; readonly line: number; readonly text: string }
  | { readonly op: 'deleteLeaf'; readonly line: number }
  | { readonly op: 'deleteWord'; readonly line: number; readonly word: number }
  | { readonly op: 'duplicateWord'; readonly line: number; readonly word: number }
  | { readonly op: 'swapWords'; readonly a: number; readonly aw: number; readonly b: number; readonly bw: number }
  | { readonly op: 'insertWord'; readonly line: number; readonly word: number; readonly text: string }
  | { readonly op: 'insertLine'; readonly line: number; readonly text: string }
  | { readonly op: 'insertText'; readonly at: number; readonly text: string }
  | { readonly op: 'deleteChars'; readonly at: number; readonly n: number }
  | { readonly op: 'replaceChar'; readonly at: number; readonly ch: string }
  | { readonly op: 'truncate'; readonly at: number };

/** Options of {@link textMutationArb}. */
export interface TextMutationOptions {
  /** Only edits that tend to keep the file's syntax (plain `key: value` lines: values replaced or swapped, the line deleted): mutated files that still load, to reach later stages. */
  readonly gentle?: boolean;
}

/**
 * Arbitrary edits: line deletion/duplication/moves, indentation changes, value swaps between
 * `key: value` lines, values replaced by `vocabulary` words, word edits, and character edits
 * drawn from `alphabet` and `vocabulary`.
 */
export function textMutationArb(alphabet: readonly string[], vocabulary: readonly string[], opts: TextMutationOptions = {}): fc.Arbitrary<TextMutation> {
  const n = fc.nat();
  const word = fc.oneof(fc.constantFrom(...vocabulary), fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: 6 }));
  const line = fc.array(word, { minLength: 1, maxLength: 6 }).map((ws) => ws.join(' '));
  const gentle: fc.Arbitrary<TextMutation>[] = [
    fc.record({ op: fc.constant('replaceValue' as const), line: n, text: fc.constantFrom(...vocabulary) }),
    fc.record({ op: fc.constant('swapValues' as const), a: n, b: n }),
    fc.record({ op: fc.constant('deleteLeaf' as const), line: n }),
  ];
  if (opts.gentle) return fc.oneof(...gentle);
  return fc.oneof(
    ...gentle,
    fc.record({ op: fc.constant('deleteLine' as const), line: n }),
    fc.record({ op: fc.constant('duplicateLine' as const), line: n }),
    fc.record({ op: fc.constant('moveLine' as const), line: n, to: n }),
    fc.record({ op: fc.constant('swapLines' as const), a: n, b: n }),
    fc.record({ op: fc.constant('indent' as const), line: n, delta: fc.integer({ min: -8, max: 8 }) }),
    fc.record({ op: fc.constant('deleteWord' as const), line: n, word: n }),
    fc.record({ op: fc.constant('duplicateWord' as const), line: n, word: n }),
    fc.record({ op: fc.constant('swapWords' as const), a: n, aw: n, b: n, bw: n }),
    fc.record({ op: fc.constant('insertWord' as const), line: n, word: n, text: word }),
    fc.record({ op: fc.constant('insertLine' as const), line: n, text: line }),
    fc.record({ op: fc.constant('insertText' as const), at: n, text: word }),
    fc.record({ op: fc.constant('deleteChars' as const), at: n, n: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ op: fc.constant('replaceChar' as const), at: n, ch: fc.constantFrom(...alphabet) }),
    fc.record({ op: fc.constant('truncate' as const), at: n }),
  );
}

function splitWords(line: string): { indent: string; words: string[] } {
  const indent = /^\s*/.exec(line)![0];
  const rest = line.slice(indent.length);
  return { indent, words: rest === '' ? [] : rest.split(/ +/) };
}

/** Plain block `key: scalar` lines (an optional `- ` and a trailing comment allowed): [line, where the value starts, where it ends]. */
function leafLines(lines: readonly string[]): (readonly [number, number, number])[] {
  const out: (readonly [number, number, number])[] = [];
  lines.forEach((l, i) => {
    const m = /^(\s*(?:- )?[A-Za-z_][\w.\/-]*: )([^{}[\]#,&*!|>'"]*[^{}[\]#,&*!|>'"\s])(\s+#.*)?$/.exec(l);
    if (m) out.push([i, m[1]!.length, m[1]!.length + m[2]!.length]);
  });
  return out;
}

/** Applies one edit. */
export function applyTextMutation(text: string, m: TextMutation): string {
  const lines = text.split('\n');
  const L = lines.length;
  const at = (i: number): number => i % L;
  switch (m.op) {
    case 'deleteLine':
      lines.splice(at(m.line), 1);
      break;
    case 'duplicateLine':
      lines.splice(at(m.line), 0, lines[at(m.line)]!);
      break;
    case 'swapLines': {
      const a = at(m.a);
      const b = at(m.b);
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      break;
    }
    case 'moveLine': {
      const [l] = lines.splice(at(m.line), 1);
      lines.splice(m.to % (lines.length + 1), 0, l!);
      break;
    }
    case 'indent': {
      const i = at(m.line);
      const l = lines[i]!;
      lines[i] = m.delta >= 0 ? ' '.repeat(m.delta) + l : l.replace(new RegExp(`^ {0,${-m.delta}}`), '');
      break;
    }
    case 'replaceValue':
    case 'deleteLeaf': {
      // A plain `key: value` line (or `- key: value`): replace the value, or drop the line.
      const leaves = leafLines(lines);
      if (leaves.length === 0) break;
      const [i, keyEnd, valueEnd] = leaves[m.line % leaves.length]!;
      const l = lines[i]!;
      if (m.op === 'deleteLeaf' && !l.trimStart().startsWith('- ')) lines.splice(i, 1);
      else if (m.op === 'replaceValue') lines[i] = l.slice(0, keyEnd) + m.text + l.slice(valueEnd);
      break;
    }
    case 'swapValues': {
      // Two plain `key: value` lines swap their values.
      const leaves = leafLines(lines);
      if (leaves.length === 0) break;
      const [ia, sa, ea] = leaves[m.a % leaves.length]!;
      const [ib, sb, eb] = leaves[m.b % leaves.length]!;
      if (ia === ib) break;
      const la = lines[ia]!;
      const lb = lines[ib]!;
      lines[ia] = la.slice(0, sa) + lb.slice(sb, eb) + la.slice(ea);
      lines[ib] = lb.slice(0, sb) + la.slice(sa, ea) + lb.slice(eb);
      break;
    }
    case 'deleteWord':
    case 'duplicateWord':
    case 'insertWord': {
      const i = at(m.line);
      const { indent, words } = splitWords(lines[i]!);
      const w = m.word % (words.length + 1);
      if (m.op === 'insertWord') words.splice(w, 0, m.text);
      else if (words.length === 0) break;
      else if (m.op === 'deleteWord') words.splice(w % words.length, 1);
      else words.splice(w % words.length, 0, words[w % words.length]!);
      lines[i] = indent + words.join(' ');
      break;
    }
    case 'swapWords': {
      const ia = at(m.a);
      const ib = at(m.b);
      const A = splitWords(lines[ia]!);
      const B = ia === ib ? A : splitWords(lines[ib]!);
      if (A.words.length === 0 || B.words.length === 0) break;
      const wa = m.aw % A.words.length;
      const wb = m.bw % B.words.length;
      const t = A.words[wa]!;
      A.words[wa] = B.words[wb]!;
      B.words[wb] = t;
      lines[ia] = A.indent + A.words.join(' ');
      lines[ib] = B.indent + B.words.join(' ');
      break;
    }
    case 'insertLine':
      lines.splice(m.line % (L + 1), 0, m.text);
      break;
    case 'insertText': {
      const p = m.at % (text.length + 1);
      return text.slice(0, p) + m.text + text.slice(p);
    }
    case 'deleteChars': {
      const p = m.at % (text.length + 1);
      return text.slice(0, p) + text.slice(p + m.n);
    }
    case 'replaceChar': {
      if (text.length === 0) return m.ch;
      const p = m.at % text.length;
      return text.slice(0, p) + m.ch + text.slice(p + 1);
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
  }
  return lines.join('\n');
}

/** Applies edits in order. */
export function applyTextMutations(text: string, ms: readonly TextMutation[]): string {
  let t = text;
  for (const m of ms) t = applyTextMutation(t, m);
  return t;
}
