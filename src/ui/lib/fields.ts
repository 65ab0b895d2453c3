/**
 * Packet-detail helpers over the layer trees of engine/wire's describePacket: stable keys for
 * fields (to line up a packet before and after a NAT rewrite) and the innermost field under a byte.
 */
import type { Field, Layer } from '../../engine/wire/describe.ts';

/** A field together with its key (layer and field names with occurrence counters). */
export interface KeyedField {
  key: string;
  field: Field;
}

/** Walks every field of every layer with a key that is the same for the same field of another copy of the packet. */
export function keyedFields(layers: readonly Layer[]): KeyedField[] {
  const out: KeyedField[] = [];
  const layerSeen = new Map<string, number>();
  for (const layer of layers) {
    const ln = layerSeen.get(layer.layer) ?? 0;
    layerSeen.set(layer.layer, ln + 1);
    const walk = (fields: readonly Field[], prefix: string): void => {
      const seen = new Map<string, number>();
      for (const f of fields) {
        const n = seen.get(f.name) ?? 0;
        seen.set(f.name, n + 1);
        const key = `${prefix}/${f.name}#${n}`;
        out.push({ key, field: f });
        if (f.children) walk(f.children, key);
      }
    };
    walk(layer.fields, `${layer.layer}#${ln}`);
  }
  return out;
}

/** For a NAT event: field key → the value before the rewrite, for every field whose value changed. */
export function rewrittenFields(after: readonly Layer[], before: readonly Layer[] | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!before) return out;
  const old = new Map(keyedFields(before).map((k) => [k.key, k.field.value]));
  for (const { key, field } of keyedFields(after)) {
    const was = old.get(key);
    if (was !== undefined && was !== field.value) out.set(key, was);
  }
  return out;
}

/** The innermost (smallest) field that covers byte `pos`, with its key; null when none does. */
export function fieldAtByte(layers: readonly Layer[], pos: number): KeyedField | null {
  let best: KeyedField | null = null;
  for (const k of keyedFields(layers)) {
    const f = k.field;
    if (f.len > 0 && pos >= f.offset && pos < f.offset + f.len && (!best || f.len <= best.field.len)) best = k;
  }
  return best;
}

/** The bytes of every field a NAT rewrite changed (leaf fields only), for the hex pane's marks. */
export function rewrittenBytes(after: readonly Layer[], before: readonly Layer[] | null): Set<number> {
  const out = new Set<number>();
  const changed = rewrittenFields(after, before);
  if (!changed.size) return out;
  for (const { key, field } of keyedFields(after)) {
    if (!changed.has(key) || field.children?.length) continue;
    for (let i = field.offset; i < field.offset + field.len; i++) out.add(i);
  }
  return out;
}
