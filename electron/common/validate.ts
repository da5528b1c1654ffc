// Small runtime validators for data that crosses a trust boundary (IPC, WebSocket, files on disk).
// A validator returns the value typed when it matches and throws ValidationError naming the path
// of the first problem otherwise. Objects are strict: unknown keys are rejected, so a typo in a
// payload is an error rather than silently ignored. Pure functions, no Node or DOM imports.

export class ValidationError extends Error {
  constructor(readonly path: string, readonly problem: string) {
    super(`${path || 'value'} ${problem}`);
    this.name = 'ValidationError';
  }
}

export type Validator<T> = (value: unknown, path?: string) => T;

export type CheckResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Runs a validator without throwing. */
export function check<T>(validator: Validator<T>, value: unknown): CheckResult<T> {
  try {
    return { ok: true, value: validator(value, '') };
  } catch (err) {
    if (err instanceof ValidationError) return { ok: false, message: err.message };
    throw err;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
}

export function str(opts: { min?: number; max?: number } = {}): Validator<string> {
  const max = opts.max ?? 4096;
  const min = opts.min ?? 0;
  return (v, path = '') => {
    if (typeof v !== 'string') throw new ValidationError(path, `must be a string, got ${describe(v)}`);
    if (v.length > max) throw new ValidationError(path, `must be at most ${max} characters`);
    if (v.length < min) throw new ValidationError(path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
    return v;
  };
}

export function num(opts: { min?: number; max?: number; integer?: boolean } = {}): Validator<number> {
  return (v, path = '') => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(path, `must be a finite number, got ${describe(v)}`);
    if (opts.integer && !Number.isInteger(v)) throw new ValidationError(path, 'must be an integer');
    if (opts.min !== undefined && v < opts.min) throw new ValidationError(path, `must be >= ${opts.min}`);
    if (opts.max !== undefined && v > opts.max) throw new ValidationError(path, `must be <= ${opts.max}`);
    return v;
  };
}

export const int = (min: number, max: number): Validator<number> => num({ min, max, integer: true });

export const bool: Validator<boolean> = (v, path = '') => {
  if (typeof v !== 'boolean') throw new ValidationError(path, `must be true or false, got ${describe(v)}`);
  return v;
};

export function oneOf<const T extends readonly string[]>(choices: T): Validator<T[number]> {
  return (v, path = '') => {
    if (typeof v !== 'string' || !choices.includes(v)) {
      throw new ValidationError(path, `must be one of ${choices.join(', ')}, got ${describe(v)}`);
    }
    return v as T[number];
  };
}

export function literal<const T extends string | number | boolean>(expected: T): Validator<T> {
  return (v, path = '') => {
    if (v !== expected) throw new ValidationError(path, `must be ${JSON.stringify(expected)}`);
    return expected;
  };
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (v, path = '') => (v === null ? null : inner(v, path));
}

export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  return (v, path = '') => (v === undefined ? undefined : inner(v, path));
}

export function arrayOf<T>(item: Validator<T>, opts: { max?: number } = {}): Validator<T[]> {
  const max = opts.max ?? 10_000;
  return (v, path = '') => {
    if (!Array.isArray(v)) throw new ValidationError(path, `must be an array, got ${describe(v)}`);
    if (v.length > max) throw new ValidationError(path, `must have at most ${max} items`);
    return v.map((x, i) => item(x, `${path}[${i}]`));
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

type Shape<T> = { [K in keyof T]-?: Validator<T[K]> };

/** A strict object: every key of the shape is checked and no other key is allowed. */
export function object<T>(shape: Shape<T>): Validator<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return (v, path = '') => {
    if (!isPlainObject(v)) throw new ValidationError(path, `must be an object, got ${describe(v)}`);
    for (const key of Object.keys(v)) {
      if (!Object.hasOwn(shape, key)) throw new ValidationError(path ? `${path}.${key}` : key, 'is not a known field');
    }
    const out = {} as T;
    for (const key of keys) {
      const value = shape[key](v[key], path ? `${path}.${key}` : key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  };
}

/** Same fields as `object`, each optional: the shape of a patch. */
export function partialObject<T>(shape: Shape<T>): Validator<Partial<T>> {
  const optionalShape = {} as Shape<Partial<T>>;
  for (const key of Object.keys(shape) as (keyof T & string)[]) {
    (optionalShape as Record<string, Validator<unknown>>)[key] = optional(shape[key]);
  }
  return object<Partial<T>>(optionalShape);
}

/** A union discriminated by a string `kind`-like field. */
export function taggedUnion<T extends Record<string, unknown>>(
  tag: string,
  variants: Record<string, Validator<T>>,
): Validator<T> {
  return (v, path = '') => {
    if (!isPlainObject(v)) throw new ValidationError(path, `must be an object, got ${describe(v)}`);
    const which = v[tag];
    const variant = typeof which === 'string' && Object.hasOwn(variants, which) ? variants[which] : undefined;
    if (!variant) throw new ValidationError(path ? `${path}.${tag}` : tag, `must be one of ${Object.keys(variants).join(', ')}`);
    return variant(v, path);
  };
}

export const none: Validator<undefined> = (v, path = '') => {
  if (v !== undefined && v !== null) throw new ValidationError(path, 'must be empty');
  return undefined;
};

export const float32Array = (opts: { max: number }): Validator<Float32Array> => (v, path = '') => {
  if (!(v instanceof Float32Array)) throw new ValidationError(path, `must be a Float32Array, got ${describe(v)}`);
  if (v.length > opts.max) throw new ValidationError(path, `must have at most ${opts.max} samples`);
  return v;
};

export const scalar: Validator<number | string | boolean> = (v, path = '') => {
  if (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  return str({ max: 4096 })(v, path);
};

/** A plain object used as a map from string keys to values of one type. */
export function recordOf<T>(item: Validator<T>, opts: { max: number }): Validator<Record<string, T>> {
  return (v, path = '') => {
    if (!isPlainObject(v)) throw new ValidationError(path, `must be an object, got ${describe(v)}`);
    const entries = Object.entries(v);
    if (entries.length > opts.max) throw new ValidationError(path, `must have at most ${opts.max} keys`);
    // fromEntries defines own properties, so a "__proto__" key cannot touch the prototype.
    return Object.fromEntries(entries.map(([key, value]) => [key, item(value, path ? `${path}.${key}` : key)]));
  };
}
