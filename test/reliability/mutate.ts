/**
 * Seeded mutators shared by the reliability fuzz tests: byte-level corruption of binary files and
 * structure-aware corruption of JSON documents. Every run with the same seed sees the same inputs,
 * so a failure names a reproducible mutation index.
 */

export type Rng = () => number;

/** xorshift32: fast, seedable, good enough to spread mutations. */
export function rng(seed: number): Rng {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

export const pick = <T>(next: Rng, items: readonly T[]): T => items[Math.floor(next() * items.length)];

const HOSTILE_U32 = [0, 1, 2, 4, 8, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

/** Byte flips, hostile 32/64-bit values, duplicated or deleted spans, or a truncation; edits biased to `hotBytes`. */
export function mutateBytes(original: Uint8Array, next: Rng, hotBytes = 4096): Uint8Array {
  const kind = next();
  if (kind < 0.2) return original.slice(0, Math.floor(next() * original.length));
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const limit = next() < 0.85 ? Math.min(bytes.length, hotBytes) : bytes.length;
    const at = Math.floor(next() * limit);
    if (kind < 0.5) bytes[at] ^= 1 << Math.floor(next() * 8);
    else if (kind < 0.8 && at + 4 <= bytes.length) view.setUint32(at, pick(next, HOSTILE_U32) >>> 0, true);
    else if (kind < 0.9 && at + 8 <= bytes.length) {
      view.setBigUint64(at, BigInt.asUintN(64, BigInt(Math.floor(next() * 2 ** 53)) << BigInt(Math.floor(next() * 12))), true);
    } else if (at + 2 <= bytes.length) bytes.copyWithin(at, Math.floor(next() * bytes.length)); // shifted span
  }
  return bytes;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const HOSTILE_JSON: Json[] = [
  null, true, false, 0, -1, 1, 1.5, -0.5, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, 1e-320,
  '', 'x', '0', '-1', '\u0000', 'ÿ'.repeat(64), [], [null], {}, { rank: -1 },
];

/** Every (container, key) pair in a document, in a stable order. */
function slots(doc: Json): { parent: Json[] | { [key: string]: Json }; key: string | number }[] {
  const out: { parent: Json[] | { [key: string]: Json }; key: string | number }[] = [];
  const walk = (v: Json) => {
    if (Array.isArray(v)) v.forEach((c, i) => { out.push({ parent: v, key: i }); walk(c); });
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) { out.push({ parent: v, key: k }); walk(v[k]); }
  };
  walk(doc);
  return out;
}

/**
 * A corrupted copy of a JSON document, as text: values replaced by hostile ones, keys removed,
 * containers emptied or swapped, or the serialised text flipped and truncated (often invalid JSON).
 */
export function mutateJson(doc: unknown, next: Rng): string {
  const copy = structuredClone(doc) as Json;
  const kind = next();
  if (kind < 0.25) {
    const text = new TextEncoder().encode(JSON.stringify(copy));
    return new TextDecoder().decode(mutateBytes(text, next, text.length));
  }
  const all = slots(copy);
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits && all.length > 0; e++) {
    // Half the edits hit the first few hundred slots, where configuration lives (the vocab is long).
    const { parent, key } = all[Math.floor(next() * (next() < 0.5 ? Math.min(all.length, 300) : all.length))];
    const op = next();
    const p = parent as Record<string | number, Json>;
    if (op < 0.6) p[key] = pick(next, HOSTILE_JSON);
    else if (op < 0.8) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete p[key];
    } else if (op < 0.9) p[key] = Array.isArray(p[key]) ? {} : [p[key]];
    else p[key] = typeof p[key] === 'number' ? (p[key] as number) * pick(next, [-1, 1000, 1e9, 0.5]) : pick(next, HOSTILE_JSON);
  }
  return JSON.stringify(copy);
}

/** Runs `attempt` on `count` inputs; returns how many were accepted and rejected, and the slowest in ms. */
export function fuzz<T>(
  count: number,
  make: (i: number) => T,
  attempt: (input: T, i: number) => void,
  isCleanError: (err: unknown) => boolean,
): { accepted: number; rejected: number; slowestMs: number; messages: Set<string> } {
  let accepted = 0;
  let rejected = 0;
  let slowestMs = 0;
  const messages = new Set<string>();
  for (let i = 0; i < count; i++) {
    const input = make(i);
    const t0 = performance.now();
    try {
      attempt(input, i);
      accepted++;
    } catch (err) {
      if (!isCleanError(err)) {
        const e = err as Error;
        throw new Error(`input ${i}: unexpected ${e?.constructor?.name ?? typeof err}: ${e?.message ?? String(err)}`);
      }
      rejected++;
      messages.add((err as Error).message.replace(/\d+/g, 'N'));
    }
    slowestMs = Math.max(slowestMs, performance.now() - t0);
  }
  return { accepted, rejected, slowestMs, messages };
}
