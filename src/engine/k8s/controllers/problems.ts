/**
 * The problems the control plane reports: Kubernetes API validation errors, allocation
 * failures and controller warnings, each tied to an object and to an exact field path into
 * that object as it was written, so the scenario loader can point at file:line:column.
 *
 * Paths are written the way Kubernetes' field.Path prints them, with one difference: a map
 * key that is a plain word is written after a dot (`metadata.labels.app`), and any other key
 * in brackets as a JSON string (`metadata.labels["app.kubernetes.io/name"]`). `segments`
 * carries the same path unambiguously.
 */

/** The object a problem is about. `namespace` is absent for cluster-scoped objects. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One step of a field path: an object key or an array index. */
export type PathSegment = string | number;

/** A problem found while validating or reconciling objects. */
export interface Problem {
  readonly ref: ObjectRef;
  /** The field path into the object as written, e.g. `spec.ports[1].name`; "" = the whole object. */
  readonly path: string;
  /** `path` as segments: `['spec', 'ports', 1, 'name']`. */
  readonly segments: readonly PathSegment[];
  /** What is wrong, in Kubernetes' words where it has them ("Required value", "Invalid value: …"). */
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /** The index, in the list handed to the control plane, of the object this is about. */
  readonly objectIndex?: number;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Formats path segments as a field path: `spec.ports[1].name`, `metadata.labels["a/b"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Splits a field path written by formatPath back into its segments; null when malformed. */
export function parsePath(path: string): PathSegment[] | null {
  const out: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i]!;
    if (c === '[') {
      const close = path[i + 1] === '"' ? findStringEnd(path, i + 1) : path.indexOf(']', i);
      if (close < 0) return null;
      if (path[i + 1] === '"') {
        const end = close + 1;
        if (path[end] !== ']') return null;
        out.push(JSON.parse(path.slice(i + 1, end)) as string);
        i = end + 1;
      } else {
        const n = path.slice(i + 1, close);
        if (!/^\d+$/.test(n)) return null;
        out.push(Number(n));
        i = close + 1;
      }
    } else {
      if (c === '.') {
        if (out.length === 0) return null;
        i++;
      }
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(path.slice(i));
      if (!m) return null;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

/** The index of the closing quote of the JSON string starting at `start`, or -1. */
function findStringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/** Builds a problem from a ref, segments and message. */
export function problem(
  ref: ObjectRef,
  segments: readonly PathSegment[],
  message: string,
  severity: 'error' | 'warning' = 'error',
  objectIndex?: number,
): Problem {
  const p: Problem = { ref, path: formatPath(segments), segments: [...segments], message, severity };
  return objectIndex === undefined ? p : { ...p, objectIndex };
}

/** One line for a problem, as kubectl would report it: `Service default/web spec.ports[1].name: Required value`. */
export function formatProblem(p: Problem): string {
  const who = p.ref.namespace === undefined ? p.ref.name : `${p.ref.namespace}/${p.ref.name}`;
  return `${p.ref.kind} ${who}${p.path === '' ? '' : ` ${p.path}`}: ${p.message}`;
}

/** Collects problems for one object, remembering its ref and index. */
export class ProblemSink {
  /** Everything reported so far, errors and warnings in report order. */
  readonly all: Problem[] = [];

  /** Reports an error at a path of an object. */
  error(ref: ObjectRef, segments: readonly PathSegment[], message: string, objectIndex?: number): void {
    this.all.push(problem(ref, segments, message, 'error', objectIndex));
  }

  /** Reports a warning at a path of an object. */
  warn(ref: ObjectRef, segments: readonly PathSegment[], message: string, objectIndex?: number): void {
    this.all.push(problem(ref, segments, message, 'warning', objectIndex));
  }

  /** The errors only. */
  get errors(): Problem[] {
    return this.all.filter((p) => p.severity === 'error');
  }

  /** The warnings only. */
  get warnings(): Problem[] {
    return this.all.filter((p) => p.severity === 'warning');
  }
}
