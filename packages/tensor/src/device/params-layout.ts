/** A kernel's params: each field of its WGSL `struct Params` by name. Arrays take a number list. */
export type ParamValues = Readonly<Record<string, number | readonly number[]>>;

type Scalar = 'u32' | 'i32' | 'f32';

interface Field {
  name: string;
  type: Scalar;
  /** Byte offset in the struct. */
  offset: number;
  /** Element count of an array<T, N> field; undefined for a scalar. */
  length?: number;
}

const STRUCT_RE = /\bstruct\s+Params\s*\{([^}]*)\}/;
const FIELD_RE = /(\w+)\s*:\s*(array\s*<[^>]*>|\w+)/g;
const TYPE_RE = /^(?:(u32|i32|f32)|array\s*<\s*(u32|i32|f32)\s*,\s*(\d+)u?\s*>)$/;

/**
 * The layout of a kernel's `struct Params`, read from its WGSL source when the kernel is
 * compiled, so that call sites give fields by name. Fields are 4-byte scalars or fixed arrays of
 * them (storage layout: 4-byte aligned, no padding between them); fields named `_…` are padding
 * and are left zero.
 */
export class ParamsLayout {
  readonly fields: readonly Field[];

  constructor(
    /** The kernel, for error messages. */
    readonly kernel: string,
    source: string,
  ) {
    const body = STRUCT_RE.exec(source)?.[1];
    if (body === undefined) throw new Error(`kernel ${kernel}: no 'struct Params' in its source`);
    const fields: Field[] = [];
    let offset = 0;
    for (const [, name, type] of body.replace(/\/\/[^\n]*/g, '').matchAll(FIELD_RE)) {
      const m = TYPE_RE.exec(type);
      if (!m) throw new Error(`kernel ${kernel}: params field '${name}: ${type}' is not a u32, i32, f32 or array of them`);
      const length = m[3] === undefined ? undefined : Number(m[3]);
      fields.push({ name, type: (m[1] ?? m[2]) as Scalar, offset, length });
      offset += 4 * (length ?? 1);
    }
    this.fields = fields;
  }

  /** The struct's size in bytes. */
  get byteLength(): number {
    const last = this.fields.at(-1);
    return last ? last.offset + 4 * (last.length ?? 1) : 0;
  }

  /**
   * Writes `values` at `offset` in `view`. Every field but padding must be given and nothing
   * else: a missing or unknown field throws, naming the kernel and the field, at the op's first use.
   */
  write(values: ParamValues, view: DataView, offset: number, op: string): void {
    new Uint8Array(view.buffer, view.byteOffset + offset, this.byteLength).fill(0);
    let given = 0;
    for (const f of this.fields) {
      if (f.name.startsWith('_')) continue;
      const v = values[f.name];
      if (v === undefined) throw new Error(`kernel ${this.kernel} (op ${op}): params field '${f.name}' was not given`);
      given++;
      if (typeof v === 'number') {
        if (f.length !== undefined) throw new TypeError(`kernel ${this.kernel} (op ${op}): params field '${f.name}' is an array of ${f.length}, given a number`);
        put(view, offset + f.offset, f.type, v);
        continue;
      }
      if (f.length === undefined) throw new TypeError(`kernel ${this.kernel} (op ${op}): params field '${f.name}' is a ${f.type}, given an array`);
      if (v.length > f.length) throw new RangeError(`kernel ${this.kernel} (op ${op}): params field '${f.name}' holds ${f.length} values, given ${v.length}`);
      for (let i = 0; i < v.length; i++) put(view, offset + f.offset + 4 * i, f.type, v[i]);
    }
    if (given !== Object.keys(values).length) {
      const known = new Set(this.fields.map((f) => f.name));
      const unknown = Object.keys(values).filter((k) => !known.has(k) || k.startsWith('_'));
      throw new Error(`kernel ${this.kernel} (op ${op}): unknown params field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`);
    }
  }

  /** Every field zero: a dispatch whose loops run no iteration (for timing a first compile). */
  zeros(): Record<string, number | number[]> {
    return Object.fromEntries(this.fields.filter((f) => !f.name.startsWith('_')).map((f) => [f.name, f.length === undefined ? 0 : []]));
  }
}

function put(view: DataView, offset: number, type: Scalar, v: number): void {
  if (type === 'f32') view.setFloat32(offset, v, true);
  else if (type === 'i32') view.setInt32(offset, v, true);
  else view.setUint32(offset, v, true);
}
