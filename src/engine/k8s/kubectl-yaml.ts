/**
 * A small, deterministic YAML emitter for plain JSON data, in the style `kubectl get -o yaml`
 * prints (sigs.k8s.io/yaml, i.e. go-yaml v2 fed from JSON):
 *
 * - block style, 2-space indentation; a sequence under a mapping key is not indented ("- " at
 *   the key's column); empty collections are written flow style (`{}`, `[]`);
 * - strings are plain when go-yaml v2 would read them back as strings, double-quoted when they
 *   would resolve to another type (`""`, `"true"`, `"80"`, `"1.5"`, `"2024-01-02T03:04:05Z"`,
 *   `"1:20"`, `"y"`, …), single-quoted when plain is not allowed (`'a: b'`, `'*'`, leading or
 *   trailing blanks), double-quoted with escapes when they hold non-printable characters, and
 *   literal block scalars (`|`, `|-`, `|+`) when they contain line breaks;
 * - like go-yaml v2, long scalar values are folded at a space once the line is past column 80
 *   (continuation lines indented two more than the key);
 * - keys are written in the object's own order, or sorted as go-yaml v2 sorts map keys when
 *   `sortKeys` is set (what kubectl's output shows).
 *
 * Pure code: no `yaml` package (the engine's k8s module may not import it).
 */

/** A JSON value: what the emitter accepts. `undefined` members of objects are skipped. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/** Options for {@link toKubectlYaml}. */
export interface YamlEmitOptions {
  /** Sort mapping keys the way go-yaml v2 does (kubectl's order). Default false: the object's own order. */
  readonly sortKeys?: boolean;
  /** The column past which long scalars fold at a space; go-yaml v2 uses 80. 0 or less: never fold. */
  readonly width?: number;
}

const INDENT = 2;

// ---------------------------------------------------------------------------------------------
// Key order (go-yaml v2 sorter.go keyList.Less, for string keys)

function isLetter(c: string): boolean {
  return /^\p{L}$/u.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && /^\p{Nd}$/u.test(c);
}

function digitValue(c: string): number {
  return c.codePointAt(0)! - 48;
}

/** Whether go-yaml v2 sorts map key `a` before `b`: letters after other characters, digit runs compared by value. */
export function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i]!;
    const bc = br[i]!;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac.codePointAt(0)! < bc.codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + digitValue(ar[ai]!);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + digitValue(br[bi]!);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac.codePointAt(0)! < bc.codePointAt(0)!;
  }
  return ar.length < br.length;
}

// ---------------------------------------------------------------------------------------------
// Scalar resolution (go-yaml v2 resolve.go): would a plain scalar read back as a string?

const NON_STRING_WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
]);

const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?$/;

function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  const h = Number(m[4] ?? m[7] ?? 0);
  const min = Number(m[5] ?? m[8] ?? 0);
  const sec = Number(m[6] ?? m[9] ?? 0);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && h < 24 && min < 60 && sec < 60;
}

/** Whether go-yaml v2 would write `s` plain (it reads back as a string and is no base-60 float). */
function resolvesToString(s: string): boolean {
  if (NON_STRING_WORDS.has(s)) return false;
  const c = s[0]!;
  if (c === '.') return !/^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/.test(s);
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    if (isTimestamp(s)) return false;
    const plain = s.replaceAll('_', '');
    if (GO_INT.test(plain) || YAML_FLOAT.test(plain) || /^-?0b[01]+$/.test(plain)) return false;
    if (BASE60_FLOAT.test(s)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Scalar analysis (go-yaml v2 emitterc.go yaml_emitter_analyze_scalar), block context only.

function isBreak(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isPrintable(cp: number): boolean {
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff);
}

interface ScalarAnalysis {
  readonly multiline: boolean;
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
}

function analyze(s: string): ScalarAnalysis {
  if (s === '') return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const cps = [...s].map((c) => c.codePointAt(0)!);
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let lineBreaks = false;
  let special = false;
  let precededByWhitespace = true;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    const next = cps[i + 1];
    const followedByWhitespace = next === undefined || next === 0x20 || next === 0x09 || isBreak(next);
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = c === 0x20 || c === 0x09 || isBreak(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function selectStyle(s: string, simpleKey: boolean): Style {
  let style: Style = s.includes('\n') ? 'literal' : resolvesToString(s) ? 'plain' : 'double';
  const a = analyze(s);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (s === '' && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  return style;
}

// ---------------------------------------------------------------------------------------------
// Output with column tracking

class Out {
  text = '';
  column = 0;

  constructor(readonly width: number) {}

  put(s: string): void {
    this.text += s;
    const nl = s.lastIndexOf('\n');
    this.column = nl < 0 ? this.column + [...s].length : [...s.slice(nl + 1)].length;
  }

  atLineStart(): boolean {
    return this.column === 0;
  }

  /** A new line indented to `indent` (no extra line when already at the start of one). */
  lineAt(indent: number): void {
    if (!this.atLineStart()) this.put('\n');
    this.put(' '.repeat(indent));
  }

  /** Whether a fold may happen here (go-yaml v2: column > best_width). */
  pastWidth(): boolean {
    return this.width > 0 && this.column > this.width;
  }
}

const DOUBLE_ESCAPES: Readonly<Record<number, string>> = {
  0x00: '\\0',
  0x07: '\\a',
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0b: '\\v',
  0x0c: '\\f',
  0x0d: '\\r',
  0x1b: '\\e',
  0x22: '\\"',
  0x5c: '\\\\',
  0x85: '\\N',
  0xa0: '\\_',
  0x2028: '\\L',
  0x2029: '\\P',
};

function hexUpper(v: number, digits: number): string {
  return v.toString(16).toUpperCase().padStart(digits, '0');
}

/**
 * Writes scalar `s`. `lead`: whether a separating space is needed first (after "key:").
 * `indent`: the indentation of continuation lines. `simpleKey`: a mapping key (never folded).
 */
function writeScalar(out: Out, s: string, lead: boolean, indent: number, simpleKey: boolean): void {
  const style = selectStyle(s, simpleKey);
  const allowBreaks = !simpleKey;
  const chars = [...s];
  if (lead) out.put(' ');
  switch (style) {
    case 'plain': {
      let spaces = false;
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ch === ' ') {
          if (allowBreaks && !spaces && out.pastWidth() && chars[i + 1] !== ' ') out.lineAt(indent);
          else out.put(ch);
          spaces = true;
        } else {
          out.put(ch);
          spaces = false;
        }
      }
      return;
    }
    case 'single': {
      out.put("'");
      let spaces = false;
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ch === ' ') {
          if (allowBreaks && !spaces && out.pastWidth() && i > 0 && i < chars.length - 1 && chars[i + 1] !== ' ') out.lineAt(indent);
          else out.put(ch);
          spaces = true;
        } else {
          out.put(ch === "'" ? "''" : ch);
          spaces = false;
        }
      }
      out.put("'");
      return;
    }
    case 'double': {
      out.put('"');
      let spaces = false;
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        const cp = ch.codePointAt(0)!;
        if (!isPrintable(cp) || cp === 0xfeff || isBreak(cp) || ch === '"' || ch === '\\') {
          const esc = DOUBLE_ESCAPES[cp];
          out.put(esc ?? (cp <= 0xff ? `\\x${hexUpper(cp, 2)}` : cp <= 0xffff ? `\\u${hexUpper(cp, 4)}` : `\\U${hexUpper(cp, 8)}`));
          spaces = false;
        } else if (ch === ' ') {
          if (allowBreaks && !spaces && out.pastWidth() && i !== 0 && i !== chars.length - 1) {
            out.lineAt(indent);
            if (chars[i + 1] === ' ') out.put('\\');
          } else {
            out.put(ch);
          }
          spaces = true;
        } else {
          out.put(ch);
          spaces = false;
        }
      }
      out.put('"');
      return;
    }
    case 'literal': {
      let hints = '';
      if (chars[0] === ' ' || isBreak(chars[0]!.codePointAt(0)!)) hints += String(INDENT);
      const last = chars[chars.length - 1]!;
      if (!isBreak(last.codePointAt(0)!)) hints += '-';
      else if (chars.length === 1 || isBreak(chars[chars.length - 2]!.codePointAt(0)!)) hints += '+';
      out.put(`|${hints}\n`);
      let breaks = true;
      for (const ch of chars) {
        if (isBreak(ch.codePointAt(0)!)) {
          out.put('\n');
          breaks = true;
        } else {
          if (breaks) out.put(' '.repeat(indent));
          breaks = false;
          out.put(ch);
        }
      }
      return;
    }
  }
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (n === Infinity) return '.inf';
  if (n === -Infinity) return '-.inf';
  return String(n);
}

function isCollection(v: JsonValue): v is readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined } {
  return v !== null && typeof v === 'object';
}

function entriesOf(obj: { readonly [key: string]: JsonValue | undefined }, sortKeys: boolean): [string, JsonValue][] {
  const entries = Object.entries(obj).filter((e): e is [string, JsonValue] => e[1] !== undefined);
  if (sortKeys) entries.sort(([a], [b]) => (yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0));
  return entries;
}

function isEmptyCollection(v: JsonValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return isCollection(v) && Object.values(v).every((x) => x === undefined);
}

class Emitter {
  constructor(
    readonly out: Out,
    readonly sortKeys: boolean,
  ) {}

  /** A scalar or empty collection at the current position; `lead`: a space separates it from what precedes. */
  inline(v: JsonValue, lead: boolean, indent: number): void {
    if (v === null) this.out.put(lead ? ' null' : 'null');
    else if (typeof v === 'boolean') this.out.put(`${lead ? ' ' : ''}${v}`);
    else if (typeof v === 'number') this.out.put(`${lead ? ' ' : ''}${formatNumber(v)}`);
    else if (typeof v === 'string') writeScalar(this.out, v, lead, indent, false);
    else this.out.put(`${lead ? ' ' : ''}${Array.isArray(v) ? '[]' : '{}'}`);
  }

  /** A block mapping whose keys sit at `indent`; `inline`: the first key continues the current line. */
  mapping(obj: { readonly [key: string]: JsonValue | undefined }, indent: number, inline: boolean): void {
    entriesOf(obj, this.sortKeys).forEach(([key, value], i) => {
      if (i > 0 || !inline) this.out.lineAt(indent);
      writeScalar(this.out, key, false, indent + INDENT, true);
      this.out.put(':');
      if (!isCollection(value) || isEmptyCollection(value)) this.inline(value, true, indent + INDENT);
      else if (Array.isArray(value)) this.sequence(value, indent, false);
      else this.mapping(value as { readonly [key: string]: JsonValue | undefined }, indent + INDENT, false);
    });
  }

  /** A block sequence whose dashes sit at `indent`; `inline`: the first dash continues the current line. */
  sequence(items: readonly JsonValue[], indent: number, inline: boolean): void {
    items.forEach((item, i) => {
      if (i > 0 || !inline) this.out.lineAt(indent);
      this.out.put('- ');
      if (!isCollection(item) || isEmptyCollection(item)) this.inline(item, false, indent + INDENT);
      else if (Array.isArray(item)) this.sequence(item, indent + INDENT, true);
      else this.mapping(item as { readonly [key: string]: JsonValue | undefined }, indent + INDENT, true);
    });
  }
}

/** `value` as YAML text the way `kubectl get -o yaml` (go-yaml v2) writes it, ending with a newline. */
export function toKubectlYaml(value: JsonValue, opts: YamlEmitOptions = {}): string {
  const out = new Out(opts.width ?? 80);
  const e = new Emitter(out, opts.sortKeys ?? false);
  if (!isCollection(value) || isEmptyCollection(value)) e.inline(value, false, INDENT);
  else if (Array.isArray(value)) e.sequence(value, 0, true);
  else e.mapping(value as { readonly [key: string]: JsonValue | undefined }, 0, true);
  if (!out.atLineStart()) out.put('\n');
  return out.text;
}
