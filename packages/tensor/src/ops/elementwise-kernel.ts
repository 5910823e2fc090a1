import { empty } from '../alloc.ts';
import type { DType } from '../dtype.ts';
import { broadcastShapes, broadcastStrides, numel, sameShape } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { checkSameDevice } from './checks.ts';
import { launch, placeholder, stridingGrid, wgslType } from './gpu.ts';
import { stridedIndices } from './strided.ts';

/** The CPU reference of an elementwise op on doubles: inputs x, y, z and the op's number arguments. */
export type CpuFn = (x: number, y: number, z: number, attrs: readonly number[]) => number;

/** What the runner needs of an elementwise op: its kernel expression and CPU reference. */
export interface Kernel {
  /** Names the op in errors and in the kernel cache. */
  name: string;
  /** WGSL expression in x, y, z (the compute type T) and attr(i); see kernels/elementwise.wgsl. */
  wgsl: string;
  /** The expression for int32 compute where it differs from `wgsl`. */
  wgslInt?: string;
  cpu: CpuFn;
  /** The reference on int32 operands where it differs from `cpu` (JS numbers are doubles). */
  cpuInt?: CpuFn;
  /** The op is the ReLU a matmul's epilogue applies: over a product's whole output, it may run there (see fuseReluEpilogues). */
  reluEpilogue?: boolean;
}

export type Compute = 'float32' | 'int32';

export interface RunOptions {
  out: DType;
  compute: Compute;
  /** A number operand standing in for the second input. */
  scalar?: number;
  /** The op's number arguments: attr(0), attr(1), ... in the kernel. */
  attrs?: readonly number[];
  /** Write into this (possibly strided) tensor instead of a new one. */
  into?: Tensor;
  /** The first input is `into` itself: read it from the output binding (a buffer cannot be bound twice for writing). */
  inplace?: boolean;
}

/** The dims the kernel's shape and stride arrays hold. */
const MAX_DIMS = 8;
/** The attrs the kernel's params hold. */
const MAX_ATTRS = 4;

/**
 * The same walk over fewer dims: size-1 dims dropped, and each dim merged into the next where every
 * operand steps through both as through one (contiguous operands become one dim). The kernel
 * places each element by dividing by the sizes, which llvmpipe does lane by lane, so fewer dims
 * are fewer divisions, and one dim needs none.
 */
function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): [number[], number[][]] {
  const kept = shape.flatMap((s, d) => (s === 1 ? [] : [d]));
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const d of kept) {
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((st, k) => outStrides[k][last] === st[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((st, k) => (outStrides[k][last] = st[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((st, k) => outStrides[k].push(st[d]));
    }
  }
  return [outShape, outStrides];
}

/** Runs one elementwise op over broadcast inputs, on the inputs' device. */
export function run(op: Kernel, inputs: readonly Tensor[], opts: RunOptions): Tensor {
  checkSameDevice(inputs);
  const broadcast = inputs.reduce<number[]>((s, t) => broadcastShapes(s, t.shape), []);
  const shape = opts.into ? checkWritable(opts.into, broadcast, inputs) : broadcast;
  const device = inputs[0].device;
  const out = opts.into ?? empty(shape, opts.out, device);
  const strides = inputs.map((t) => broadcastStrides(t.shape, t.strides, shape));
  const attrs = opts.attrs ?? [];
  const int = opts.compute === 'int32';
  if (device.type === 'cpu') {
    const fn = int ? (op.cpuInt ?? op.cpu) : op.cpu;
    const [ia, ib, ic] = inputs.map((t, i) => stridedIndices(shape, strides[i], t.offset));
    const [a, b, c] = inputs.map((t) => t.storage.array);
    const dst = out.storage.array;
    const io = stridedIndices(shape, out.strides, out.offset);
    const scalar = opts.scalar;
    for (let i = 0; i < io.length; i++) {
      const y = scalar !== undefined ? scalar : b ? b[ib[i]] : 0;
      dst[io[i]] = fn(a[ia[i]], y, c ? c[ic[i]] : 0, attrs);
    }
    return out;
  }
  if (shape.length > MAX_DIMS) throw new Error(`tensors of more than ${MAX_DIMS} dims are not supported on webgpu (found ${shape.length})`);
  if (attrs.length > MAX_ATTRS) throw new Error(`internal: ${op.name} takes ${attrs.length} number arguments, the kernel holds ${MAX_ATTRS}`);
  // Unused slots are bound to some other input (never to `out`, which is bound for writing).
  const spare = opts.inplace ? (inputs[1] ?? placeholder(device)) : inputs[0];
  const [a, b = spare, c = spare] = opts.inplace ? [spare, ...inputs.slice(1)] : inputs;
  const [dims, [so, sa, sb = sa, sc = sa]] = coalesce(shape, [out.strides, ...strides]);
  const n = numel(shape);
  const params = {
    numel: n, ndim: dims.length,
    off_a: a.offset, off_b: b.offset, off_c: c.offset, off_out: out.offset,
    scalar_b: opts.scalar !== undefined ? 1 : 0,
    scalar_f32: opts.scalar ?? 0,
    scalar_i32: int ? (opts.scalar ?? 0) : 0,
    attr_f32: attrs,
    attr_i32: int ? attrs : [],
    shape: dims, str_a: sa, str_b: sb, str_c: sc, str_out: so,
  };
  const template = {
    EXPR: int ? (op.wgslInt ?? op.wgsl) : op.wgsl,
    A: wgslType(a.dtype),
    B: wgslType(b.dtype),
    C: wgslType(c.dtype),
    OUT: wgslType(opts.out),
    T: int ? 'i32' : 'f32',
    FIRST: opts.inplace ? 'out' : 'a',
    INPLACE: opts.inplace ? 'true' : 'false',
  };
  // The peephole at submit may fold a float32 ReLU over a whole buffer into the product that wrote it.
  const whole = op.reluEpilogue && !opts.into && a.dtype === 'float32' && a.offset === 0 && a.isContiguous();
  const fusion = whole ? { reluOf: { input: a.storage.buffer, output: out.storage.buffer, elements: n } } : undefined;
  if (n > 0) launch(op.name, { family: 'elementwise', template }, [a, b, c, out], params, stridingGrid(n), fusion);
  return out;
}

/** The shape an op writing into `into` runs over: into's own, which the inputs must broadcast to. */
export function checkWritable(into: Tensor, inputShape: readonly number[], inputs: readonly Tensor[]): readonly number[] {
  checkSameDevice([into, ...inputs]);
  if (into.shape.some((d, i) => d > 1 && into.strides[i] === 0)) {
    throw new Error(
      'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.',
    );
  }
  const shape = broadcastShapes(into.shape, inputShape);
  if (!sameShape(shape, into.shape)) {
    throw new RangeError(`output with shape [${into.shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`);
  }
  return into.shape;
}
