import { device as resolveDevice, type Device, type DeviceLike } from './device/device.ts';
import { allocArray, checkDType, isFloating, type DType, type TypedArray } from './dtype.ts';
import { checkShape, numel } from './shape.ts';
import { Storage } from './storage.ts';
import { Tensor } from './tensor.ts';
import { defaultGenerator, type Generator } from './random.ts';
import { empty as alloc } from './alloc.ts';
import { checkOptions } from './options.ts';
import { runInPlace } from './autograd/inplace.ts';
import { FLOAT64_ON_WEBGPU, grid, launch, wgslType } from './ops/gpu.ts';

/** Where and how a new tensor is made: dtype, device, requiresGrad (PyTorch's keyword arguments). */
export interface TensorOptions {
  /** The element type (each creation function says its default). */
  dtype?: DType;
  /** Where the tensor lives (the default device when absent). */
  device?: DeviceLike;
  /** Whether autograd records ops on it (a leaf). */
  requiresGrad?: boolean;
}

/** TensorOptions plus the random generator to draw from (the default generator when absent). */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from (the default generator when absent). */
  generator?: Generator;
}

/** Numbers or booleans, nested like the tensor's dims, as torch.tensor takes them. */
export type NestedArray = number | boolean | readonly NestedArray[];

const TENSOR_OPTIONS = ['dtype', 'device', 'requiresGrad'] as const;
const RANDOM_OPTIONS = [...TENSOR_OPTIONS, 'generator'] as const;

/**
 * A shape as one array or as separate sizes, optionally followed by options, as PyTorch's
 * creation functions take it: `zeros([2, 3])`, `zeros(2, 3)`, `zeros(2, 3, { dtype: 'int32' })`.
 */
export type SizeArgs<O> = readonly [shape: readonly number[], options?: O] | readonly number[] | readonly [...sizes: number[], options: O];

function sizeArgs<O extends TensorOptions>(fn: string, args: SizeArgs<O>, known: readonly (keyof O & string)[]): [number[], O] {
  const last = args.at(-1);
  const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last);
  const sizes = (hasOptions ? args.slice(0, -1) : args) as readonly (number | readonly number[])[];
  const shape = sizes.length === 1 && Array.isArray(sizes[0]) ? [...(sizes[0] as readonly number[])] : (sizes as unknown[]);
  if (sizes.length === 0 || !shape.every((d) => typeof d === 'number')) {
    throw new TypeError(`${fn}(): expected a size as one array of numbers or as numbers (then options), found (${args.map((a) => JSON.stringify(a)).join(', ')})`);
  }
  return [shape as number[], checkOptions(fn, (hasOptions ? last : {}) as O, known)];
}

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** A tensor holding `array` (copied), on the requested device. */
export function fromArray(array: TypedArray | readonly number[], shape: readonly number[], opts: TensorOptions = {}): Tensor {
  checkOptions('fromArray', opts, TENSOR_OPTIONS);
  const dtype = opts.dtype ? checkDType(opts.dtype) : inferArrayDType(array);
  checkShape(shape);
  if (numel(shape) !== array.length) {
    throw new RangeError(`fromArray: shape [${shape.join(', ')}] needs ${numel(shape)} elements, found ${array.length}`);
  }
  if (Array.isArray(array)) checkFits(array, dtype);
  const host = allocArray(dtype, array.length);
  if (dtype === 'bool') for (let i = 0; i < array.length; i++) host[i] = array[i] ? 1 : 0;
  else host.set(array as ArrayLike<number>);
  return finish(upload(host, shape, dtype, resolveDevice(opts.device)), opts);
}

/** Moves a host array (owned by the callee from now on) onto a device. */
export function upload(host: TypedArray, shape: readonly number[], dtype: DType, device: Device): Tensor {
  if (device.type === 'cpu') return new Tensor(Storage.cpu(device, dtype, host), [...shape], dtype);
  if (dtype === 'float64') throw new TypeError(FLOAT64_ON_WEBGPU);
  const gpuBytes = dtype === 'bool' ? new Uint8Array(Uint32Array.from(host).buffer) : new Uint8Array(host.buffer, host.byteOffset, host.byteLength);
  const storage = Storage.gpu(device, dtype, host.length, device.gpu.upload(gpuBytes));
  return new Tensor(storage, [...shape], dtype);
}

const INTEGER_RANGES: Partial<Record<DType, [number, number]>> = { int32: [-(2 ** 31), 2 ** 31 - 1], uint8: [0, 255] };

/** PyTorch's error for numbers that an integer dtype cannot hold (typed arrays convert as JS does). */
function checkFits(values: readonly number[], dtype: DType): void {
  const range = INTEGER_RANGES[dtype];
  if (!range) return;
  const bad = values.find((v) => !(Math.trunc(v) >= range[0] && Math.trunc(v) <= range[1]));
  if (bad !== undefined) throw new RangeError(`value cannot be converted to type ${dtype} without overflow (found ${bad})`);
}

function inferArrayDType(array: TypedArray | readonly number[]): DType {
  if (array instanceof Int32Array) return 'int32';
  if (array instanceof Uint8Array) return 'uint8';
  if (array instanceof Float64Array) return 'float64';
  return 'float32';
}

/** Like torch.tensor: from nested arrays (or a number); integers give int32, booleans bool. */
export function tensor(data: NestedArray | TypedArray, opts: TensorOptions = {}): Tensor {
  checkOptions('tensor', opts, TENSOR_OPTIONS);
  if (ArrayBuffer.isView(data)) return fromArray(data as TypedArray, [(data as TypedArray).length], opts);
  const shape: number[] = [];
  for (let level: NestedArray = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat: (number | boolean)[] = [];
  const walk = (x: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number' && typeof x !== 'boolean') throw new TypeError(`tensor(): expected a number, found ${JSON.stringify(x)}`);
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new RangeError(`expected sequence of length ${shape[dim]} at dim ${dim} (got ${Array.isArray(x) ? x.length : typeof x})`);
    }
    for (const v of x) walk(v, dim + 1);
  };
  walk(data, 0);
  const inferred: DType = flat.every((v) => typeof v === 'boolean') && flat.length > 0
    ? 'bool'
    : flat.every((v) => Number.isInteger(v) && Math.abs(v as number) < 2 ** 31) && flat.length > 0
      ? 'int32'
      : 'float32';
  return fromArray(flat.map(Number), shape, { ...opts, dtype: opts.dtype ?? inferred });
}

/** A 0-d tensor holding one number, on like's device (float32 unless it is an integer and like is integral). */
export function scalarTensor(value: number, like: Tensor): Tensor {
  const dtype = isFloating(like.dtype) ? like.dtype : Number.isInteger(value) ? 'int32' : 'float32';
  return fromArray([value], [], { dtype, device: like.device });
}

/** Sets every element of a contiguous tensor to value, in place (its gradient is zero). */
export function fill_(t: Tensor, value: number): Tensor {
  if (!t.isContiguous()) throw new Error('fill_: expected a contiguous tensor');
  return runInPlace(t, { name: 'Fill', backward: () => [null] }, () => {
    const n = t.numel();
    const stored = t.dtype === 'bool' ? Number(value !== 0) : value;
    if (t.device.type === 'cpu') {
      t.storage.array.fill(stored, t.offset, t.offset + n);
      return;
    }
    const T = wgslType(t.dtype);
    const params = { numel: n, offset: t.offset, value_f32: stored, value_i32: Math.trunc(stored) };
    const VALUE = T === 'f32' ? 'p.value_f32' : 'p.value_i32';
    if (n > 0) launch('fill', { family: 'fill', template: { T, VALUE } }, [t], params, grid(n));
  });
}

/** A tensor of `shape` filled with value (float32 unless options.dtype says), like torch.full. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  checkOptions('full', opts, TENSOR_OPTIONS);
  const dtype = opts.dtype ?? 'float32';
  const device = resolveDevice(opts.device);
  checkShape(shape);
  checkFits([value], dtype);
  // Bytes are packed four to a word on the GPU, out of the fill kernel's reach: upload them.
  if (dtype === 'uint8' && device.type === 'webgpu') return finish(upload(allocArray(dtype, numel(shape)).fill(value), shape, dtype, device), opts);
  return finish(fill_(alloc(shape, dtype, device), value), opts);
}

/** Zeros, like torch.zeros: `zeros(2, 3)` or `zeros([2, 3], { dtype })`. */
export function zeros(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = sizeArgs('zeros', args, TENSOR_OPTIONS);
  return full(shape, 0, opts);
}

/** Ones, like torch.ones: `ones(2, 3)` or `ones([2, 3], { dtype })`. */
export function ones(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = sizeArgs('ones', args, TENSOR_OPTIONS);
  return full(shape, 1, opts);
}

/** A tensor whose contents are not initialized, like torch.empty: `empty(2, 3)` or `empty([2, 3], { dtype, device })`. */
export function empty(...args: SizeArgs<TensorOptions>): Tensor {
  const [shape, opts] = sizeArgs('empty', args, TENSOR_OPTIONS);
  checkShape(shape);
  const dtype = opts.dtype ? checkDType(opts.dtype) : 'float32';
  const device = resolveDevice(opts.device);
  if (dtype === 'float64' && device.type === 'webgpu') throw new TypeError(FLOAT64_ON_WEBGPU);
  return finish(alloc(shape, dtype, device), opts);
}

/** Options of the `…Like` functions: those of the tensor, overridden by these. */
function likeOptions<O extends TensorOptions>(t: Tensor, opts: O): O {
  return { dtype: t.dtype, device: t.device, ...opts };
}

/** Zeros with the shape, dtype and device of `t`, like torch.zeros_like. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return zeros(t.shape, likeOptions(t, opts));
}

/** Ones with the shape, dtype and device of `t`, like torch.ones_like. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return ones(t.shape, likeOptions(t, opts));
}

/** A tensor of t's shape (dtype and device unless overridden) filled with value, like torch.full_like. */
export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, likeOptions(t, opts));
}

/** `steps` values from start to end inclusive, evenly spaced, like torch.linspace (float32 by default). */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  checkOptions('linspace', opts, TENSOR_OPTIONS);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace(): number of steps must be a non-negative integer, found ${steps}`);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch's order of operations: the first half counted from start, the second from end.
  const half = Math.floor(steps / 2);
  const values = Array.from({ length: steps }, (_, i) => (i < half ? start + step * i : end - step * (steps - 1 - i)));
  return fromArray(values, [steps], { ...opts, dtype: opts.dtype ?? 'float32' });
}

/** The n×m identity matrix (m = n by default), like torch.eye. */
export function eye(n: number, m: number | TensorOptions = n, opts: TensorOptions = {}): Tensor {
  if (typeof m === 'object') return eye(n, n, m);
  checkOptions('eye', opts, TENSOR_OPTIONS);
  for (const [name, v] of [['n', n], ['m', m]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`eye(): ${name} must be greater or equal to 0, got ${v}`);
  }
  const values = Array.from({ length: n * m }, (_, i) => Number(Math.floor(i / m) === i % m));
  return fromArray(values, [n, m], { ...opts, dtype: opts.dtype ?? 'float32' });
}

/** Values from start to end (exclusive) by step, like torch.arange; int32 when all are integers. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  checkOptions('arange', opts, TENSOR_OPTIONS);
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new RangeError('arange: step must be nonzero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const values = Array.from({ length: n }, (_, i) => start + i * step);
  const integral = [start, end, step].every(Number.isInteger);
  return fromArray(values, [n], { ...opts, dtype: opts.dtype ?? (integral ? 'int32' : 'float32') });
}

function randomFill(shape: readonly number[], opts: RandomOptions, draw: (g: Generator) => number, dtype: DType): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const host = allocArray(dtype, numel(checkShape(shape)));
  for (let i = 0; i < host.length; i++) host[i] = draw(g);
  return finish(upload(host, shape, dtype, resolveDevice(opts.device)), opts);
}

function floatDType(op: string, opts: TensorOptions): DType {
  const dtype = opts.dtype ?? 'float32';
  if (!isFloating(dtype)) throw new TypeError(`${op}: expected a floating point dtype, found ${dtype}`);
  return dtype;
}

/** Uniform on [0, 1), drawn from the seeded generator: `rand(2, 3)` or `rand([2, 3], { generator })`. */
export function rand(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = sizeArgs('rand', args, RANDOM_OPTIONS);
  return randomFill(shape, opts, (g) => g.uniform(), floatDType('rand', opts));
}

/** Standard normal, drawn from the seeded generator: `randn(2, 3)` or `randn([2, 3], { generator })`. */
export function randn(...args: SizeArgs<RandomOptions>): Tensor {
  const [shape, opts] = sizeArgs('randn', args, RANDOM_OPTIONS);
  return randomFill(shape, opts, (g) => g.normal(), floatDType('randn', opts));
}

/** Uniform on [0, 1) in t's shape (dtype and device unless overridden), like torch.rand_like. */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return rand(t.shape, likeOptions(t, opts));
}

/** Standard normal in t's shape (dtype and device unless overridden), like torch.randn_like. */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  return randn(t.shape, likeOptions(t, opts));
}

/** Integers uniform on [low, high), int32. */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  checkOptions('randint', opts, RANDOM_OPTIONS);
  return randomFill(shape, opts, (g) => g.integer(low, high), opts.dtype ?? 'int32');
}

/** A random permutation of 0..n-1, int32. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  checkOptions('randperm', opts, RANDOM_OPTIONS);
  const perm = (opts.generator ?? defaultGenerator).permutation(n);
  return finish(upload(perm, [n], 'int32', resolveDevice(opts.device)), opts);
}
