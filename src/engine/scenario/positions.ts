/**
 * Source positions for a scenario file: maps (object, field path) to the 1-based line and
 * column where it is written, over the `yaml` library's Documents and LineCounter. Every
 * problem the loader, the validator or the k8s controllers report goes through here, so all
 * of them read `file:line:column`.
 *
 * Paths are written as the Kubernetes API writes field paths: `spec.ports[1].targetPort`;
 * keys that are not plain identifiers are quoted: `metadata.labels["app.kubernetes.io/name"]`.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode, type Pair } from 'yaml';
import { CLUSTER_SCOPED_KINDS, formatObjectKey, type ObjectKey, type ObjectProblem, type ScenarioProblem, type Severity } from './model.ts';

/** One step of a field path: a mapping key or a sequence index. */
export type PathSeg = string | number;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Formats path segments as `spec.ports[1].name` (non-identifier keys as `["a.b/c"]`). */
export function formatPath(segs: readonly PathSeg[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Parses a path written by `formatPath` (also accepts single-quoted keys); never throws. */
export function parsePath(text: string): PathSeg[] {
  const segs: PathSeg[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '.') {
      i++;
    } else if (c === '[') {
      const close = findClose(text, i);
      const inner = text.slice(i + 1, close).trim();
      i = close + 1;
      if (/^\d+$/.test(inner)) segs.push(Number(inner));
      else if (inner.startsWith('"')) {
        try {
          segs.push(String(JSON.parse(inner)));
        } catch {
          segs.push(inner.slice(1, -1));
        }
      } else if (inner.startsWith("'")) segs.push(inner.slice(1, -1).replace(/''/g, "'"));
      else segs.push(inner);
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      segs.push(text.slice(i, j));
      i = j;
    }
  }
  return segs;
}

function findClose(text: string, open: number): number {
  let quote: string | null = null;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ']') return i;
  }
  return text.length;
}

/** A place in the source: 1-based line and column, and the YAML document it is in (-1: none). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly docIndex: number;
  /** 0-based character offset into the text. */
  readonly offset: number;
}

/** How to pick the position of a field. */
export interface LocateOptions {
  /** Point at the key (`name:`) rather than the value; used for unknown or misplaced keys. */
  readonly key?: boolean;
  /** Which of several objects with the same key (0-based, file order); default the first. */
  readonly occurrence?: number;
}

/** What sits at a place in the source: its document, object and field path. */
export interface PathAtResult {
  readonly docIndex: number;
  /** `Kind ns/name` of the object there, when the place is inside a known object. */
  readonly object?: string;
  readonly path: string;
}

/** Maps objects and field paths of one loaded file to line and column. */
export interface PositionIndex {
  /** The file name problems carry. */
  readonly fileName: string;
  /**
   * Where a field of an object is written. Falls back to the nearest ancestor of `path`
   * that exists in the source, then to the object's start, then to 1:1.
   */
  locate(ref: ObjectKey, path?: string | readonly PathSeg[], options?: LocateOptions): SourcePosition;
  /** Where a path (from the document's root) is written in YAML document `docIndex` */
  locateInDocument(docIndex: number, path?: string | readonly PathSeg[], options?: LocateOptions): SourcePosition;
  /** Renders an object-level problem (as the k8s controllers report them) with its position. */
  problem(p: ObjectProblem): ScenarioProblem;
  /** The document, object and field path at a 1-based line and column; null when outside every document */
  pathAt(line: number, column: number): PathAtResult | null;
}

interface Registered {
  readonly key: ObjectKey;
  readonly docIndex: number;
  readonly base: readonly PathSeg[];
}

function normalizedKey(kind: string, namespace: string | undefined, name: string): string {
  const ns = CLUSTER_SCOPED_KINDS.has(kind) ? '' : namespace === undefined || namespace === '' ? 'default' : namespace;
  return `${kind}\u0000${ns}\u0000${name}`;
}

function scalarKey(key: unknown): string | undefined {
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return undefined;
}

/** The PositionIndex over parsed YAML documents; the loader registers each object it reads. */
export class YamlPositionIndex implements PositionIndex {
  private readonly byKey = new Map<string, Registered[]>();
  private readonly all: Registered[] = [];
  private readonly byObjectIndex: Registered[] = [];

  /** Builds an index over the documents `parseAllDocuments` returned with this line counter. */
  constructor(
    readonly fileName: string,
    private readonly docs: readonly Document[],
    private readonly lines: LineCounter,
  ) {}

  /** Records that an object's root sits at `base` inside YAML document `docIndex` (`['items', 3]` in a List). */
  register(key: ObjectKey, docIndex: number, base: readonly PathSeg[] = []): void {
    const k = normalizedKey(key.kind, key.namespace, key.name);
    const entry: Registered = { key, docIndex, base };
    const list = this.byKey.get(k);
    const same = (e: Registered): boolean => e.docIndex === docIndex && e.base.length === base.length && e.base.every((s, i) => s === base[i]);
    if (list?.some(same)) return;
    if (list) list.push(entry);
    else this.byKey.set(k, [entry]);
    this.all.push(entry);
  }

  /** Records that `LoadResult.objects[objectIndex]` was read from `base` of YAML document `docIndex`. */
  registerObjectIndex(objectIndex: number, key: ObjectKey, docIndex: number, base: readonly PathSeg[]): void {
    this.byObjectIndex[objectIndex] = { key, docIndex, base };
  }

  /** The registered place of an object (the `occurrence`-th of duplicates, default the first), or undefined. */
  find(ref: ObjectKey, occurrence = 0): { readonly key: ObjectKey; readonly docIndex: number; readonly base: readonly PathSeg[] } | undefined {
    const exact = this.byKey.get(normalizedKey(ref.kind, ref.namespace, ref.name));
    if (exact) return exact[occurrence] ?? exact[0];
    // The caller may not know the namespace (or which of several): accept a unique kind+name.
    const sameName = this.all.filter((e) => e.key.kind === ref.kind && e.key.name === ref.name);
    if (sameName.length === 1) return sameName[0];
    const sameKind = this.all.filter((e) => e.key.kind === ref.kind);
    if (ref.kind === 'Scenario' && sameKind.length === 1) return sameKind[0];
    return undefined;
  }

  locate(ref: ObjectKey, path: string | readonly PathSeg[] = [], options: LocateOptions = {}): SourcePosition {
    const at = this.find(ref, options.occurrence);
    if (!at) return this.fileStart();
    const segs = typeof path === 'string' ? parsePath(path) : path;
    return this.walk(at.docIndex, [...at.base, ...segs], at.base.length, options);
  }

  locateInDocument(docIndex: number, path: string | readonly PathSeg[] = [], options: LocateOptions = {}): SourcePosition {
    const segs = typeof path === 'string' ? parsePath(path) : path;
    return this.walk(docIndex, segs, 0, options);
  }

  problem(p: ObjectProblem): ScenarioProblem {
    // objectIndex names the object exactly, but only trust it when it is the object the ref names.
    const byIndex = p.objectIndex === undefined ? undefined : this.byObjectIndex[p.objectIndex];
    const sameObject =
      byIndex !== undefined &&
      byIndex.key.kind === p.ref.kind &&
      byIndex.key.name === p.ref.name &&
      normalizedKey(p.ref.kind, p.ref.namespace, p.ref.name) === normalizedKey(byIndex.key.kind, byIndex.key.namespace, byIndex.key.name);
    const pos = sameObject
      ? this.walk(byIndex.docIndex, [...byIndex.base, ...parsePath(p.path)], byIndex.base.length, {})
      : this.locate(p.ref, p.path, p.occurrence !== undefined ? { occurrence: p.occurrence } : {});
    const severity: Severity = p.severity ?? 'error';
    // Callers rarely know the Scenario's name: label it with the one in the file.
    const scenario = p.ref.kind === 'Scenario' ? this.find(p.ref) : undefined;
    const object = formatObjectKey(scenario?.key ?? p.ref);
    return { file: this.fileName, line: pos.line, column: pos.column, docIndex: pos.docIndex, object, path: p.path, message: p.message, severity };
  }

  pathAt(line: number, column: number): PathAtResult | null {
    const starts = this.lines.lineStarts;
    if (line < 1 || line > starts.length) return null;
    const offset = starts[line - 1]! + column - 1;
    for (let d = 0; d < this.docs.length; d++) {
      const doc = this.docs[d]!;
      const r = doc.range;
      if (!r || offset < r[0] || offset > r[2]) continue;
      const segs: PathSeg[] = [];
      descend(doc.contents, offset, segs, doc);
      // The innermost registered object whose base is a prefix of the path.
      let best: Registered | undefined;
      for (const e of this.all) {
        if (e.docIndex !== d || e.base.length > segs.length) continue;
        if (e.base.every((s, i) => segs[i] === s) && (best === undefined || e.base.length > best.base.length)) best = e;
      }
      const rel = best ? segs.slice(best.base.length) : segs;
      return best ? { docIndex: d, object: formatObjectKey(best.key), path: formatPath(rel) } : { docIndex: d, path: formatPath(rel) };
    }
    return null;
  }

  /** The position of an offset in the text. */
  positionOf(offset: number, docIndex: number): SourcePosition {
    const p = this.lines.linePos(offset);
    return { line: Math.max(1, p.line), column: Math.max(1, p.col), docIndex, offset };
  }

  private fileStart(): SourcePosition {
    return { line: 1, column: 1, docIndex: -1, offset: 0 };
  }

  /** Where document `docIndex` starts: its first node, else its range start. */
  documentStart(docIndex: number): SourcePosition {
    const doc = this.docs[docIndex];
    if (!doc) return this.fileStart();
    const c = doc.contents as YamlNode | null;
    const start = c?.range ? c.range[0] : (doc.range?.[0] ?? 0);
    return this.positionOf(start, docIndex);
  }

  private walk(docIndex: number, segs: readonly PathSeg[], baseLen: number, options: LocateOptions): SourcePosition {
    const doc = this.docs[docIndex];
    if (!doc) return this.fileStart();
    let node: unknown = doc.contents;
    let pos: SourcePosition = this.documentStart(docIndex);
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      node = resolveAlias(node, doc);
      let next: SourcePosition | undefined;
      if (isMap(node)) {
        let pair: Pair | undefined;
        for (const p of node.items) if (scalarKey(p.key) === String(seg)) pair = p; // the last wins, as in toJS
        if (pair) {
          next = this.pairPosition(pair, docIndex, i === segs.length - 1 && options.key === true);
          node = pair.value;
        }
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as unknown;
        if (item !== undefined) {
          next = this.nodePosition(item, docIndex);
          node = item;
        }
      }
      if (next === undefined) {
        // A registered object's root always exists; if not, the document start is the best guess.
        if (i < baseLen) return this.documentStart(docIndex);
        break;
      }
      pos = next;
    }
    return pos;
  }

  /**
   * A mapping entry's position: the value when it is a scalar or flow collection on the key's
   * line, the key when the value is a block collection (on the lines below) or empty.
   */
  private pairPosition(pair: Pair, docIndex: number, wantKey: boolean): SourcePosition | undefined {
    const keyPos = this.nodePosition(pair.key, docIndex);
    if (wantKey) return keyPos;
    const v = pair.value as unknown;
    if (v === null || v === undefined) return keyPos;
    if (isScalar(v) && v.value === null && (!v.range || v.range[0] === v.range[1])) return keyPos;
    if ((isMap(v) || isSeq(v)) && v.flow !== true) return keyPos ?? this.nodePosition(v, docIndex);
    return this.nodePosition(v, docIndex) ?? keyPos;
  }

  private nodePosition(node: unknown, docIndex: number): SourcePosition | undefined {
    if (node !== null && typeof node === 'object' && 'range' in node) {
      const r = (node as YamlNode).range;
      if (r) return this.positionOf(r[0], docIndex);
    }
    return undefined;
  }
}

function resolveAlias(node: unknown, doc: Document): unknown {
  let n = node;
  for (let i = 0; i < 16 && isAlias(n); i++) n = n.resolve(doc);
  return n;
}

function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  if (node !== null && typeof node === 'object' && 'range' in node) {
    const r = (node as YamlNode).range;
    if (r) return r;
  }
  return undefined;
}

/** Appends to `segs` the path of the innermost node that contains `offset`. */
function descend(node: unknown, offset: number, segs: PathSeg[], doc: Document, depth = 0): void {
  if (depth > 200) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = scalarKey(pair.key);
      const kr = rangeOf(pair.key);
      const vr = rangeOf(pair.value);
      const start = kr ? kr[0] : vr ? vr[0] : -1;
      // valueEnd, not nodeEnd: a scalar's node range runs on over the line break after it.
      const end = vr ? vr[1] : kr ? kr[1] : -1;
      if (k !== undefined && offset >= start && offset <= end) {
        segs.push(k);
        if (vr && offset >= vr[0]) descend(pair.value, offset, segs, doc, depth + 1);
        return;
      }
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const item = node.items[i];
      const r = rangeOf(item);
      if (r && offset >= r[0] && offset <= r[1]) {
        segs.push(i);
        descend(item, offset, segs, doc, depth + 1);
        return;
      }
    }
  }
}
