import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import { envVar } from '../env.ts';
import type { WebGPURuntime } from '../device/webgpu.ts';
import { broadcastShapes, numel } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { tuneMode, tunerFor } from '../tune/tuner.ts';
import { checkDType, checkSameDevice, FLOATS } from './checks.ts';
import { reluBackward, type BackwardAfterRelu } from './elementwise.ts';
import { launch, placeholder } from './gpu.ts';
import { launchProduct, matrices } from './matmul-launch.ts';
import {
  adapterTraits,
  heuristicCandidate,
  heuristicFamily,
  MATMUL_KERNELS,
  productLayout,
  type MatmulCandidate,
  type MatmulKernel,
  type MatmulPlan,
} from './matmul-plan.ts';
import { sum } from './reduce.ts';
import { expand, reshape, transpose } from './views.ts';

export { MATMUL_KERNELS, type MatmulKernel, type MatmulPlan } from './matmul-plan.ts';

let forced: MatmulKernel | null = null;

/** Forces one kernel family for every later matmul (tests, benchmarks); null restores the choice by adapter and tuner. */
export function setMatmulKernel(kernel: MatmulKernel | null): void {
  if (kernel !== null && !MATMUL_KERNELS.includes(kernel)) {
    throw new Error(`unknown matmul kernel '${kernel}'; expected one of ${MATMUL_KERNELS.join(', ')}`);
  }
  forced = kernel;
}

/** The family forced by setMatmulKernel or MINI_MATMUL_KERNEL, else null. */
function forcedKernel(): MatmulKernel | null {
  const wanted = forced ?? (envVar('MINI_MATMUL_KERNEL') as MatmulKernel | undefined) ?? null;
  if (wanted && !MATMUL_KERNELS.includes(wanted)) {
    throw new Error(`MINI_MATMUL_KERNEL=${wanted} is not a matmul kernel; expected one of ${MATMUL_KERNELS.join(', ')}`);
  }
  return wanted;
}

/** The kernel family the heuristics run matmuls on here: forced, MINI_MATMUL_KERNEL, or chosen by adapter. */
export function matmulKernel(gpu: WebGPURuntime): MatmulKernel {
  return heuristicFamily(adapterTraits(gpu), forcedKernel());
}

/**
 * The candidate that runs a product of a and b: with a family forced, the heuristic's choice in
 * it; with MINI_TUNE=off, the heuristic's; else the tuned one for its shape class, and until
 * that class is tuned (which then starts in the background) the heuristic's.
 */
export function matmulCandidate(a: Tensor, b: Tensor): MatmulCandidate {
  const layout = productLayout(a, b);
  const traits = adapterTraits(a.device.gpu);
  const kernel = forcedKernel();
  const heuristic = heuristicCandidate(traits, heuristicFamily(traits, kernel), layout);
  const mode = kernel ? 'off' : tuneMode();
  if (mode === 'off') return heuristic;
  const tuner = tunerFor(a.device);
  const tuned = tuner.tuned(layout);
  if (tuned) return tuned;
  tuner.schedule(layout, mode);
  return heuristic;
}

/**
 * Kernel, tile and grid for a [M, K] · b [K, N], or for a batch of products a [B, M, K] ·
 * b [B, K, N] (the grid's z is the batch): the plan of matmulCandidate.
 */
export function matmulPlan(a: Tensor, b: Tensor): MatmulPlan {
  const layout = productLayout(a, b);
  const plan = matmulCandidate(a, b).plan(layout);
  return { ...plan, workgroups: [...plan.workgroups, layout.batch] };
}

/**
 * a·b (+ bias) (then ReLU) for 2-D a [M, K] and b [K, N], or each product of 3-D a [B, M, K] and
 * b [B, K, N] (into [B, M, N]), read through their strides (a batch stride of 0 broadcasts an
 * operand); not recorded. The CPU reference accumulates in float64.
 */
function gemm(a: Tensor, b: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  if (a.device.type !== 'cpu') return launchProduct(a, b, bias, relu, matmulCandidate(a, b).plan(productLayout(a, b)));
  const { batch, batchStride: sab, rows: M, cols: K, s0: sa0, s1: sa1 } = matrices(a);
  const { batchStride: sbb, cols: N, s0: sb0, s1: sb1 } = matrices(b);
  const out = empty(a.ndim === 3 ? [batch, M, N] : [M, N], a.dtype, a.device);
  const A = a.storage.array;
  const B = b.storage.array;
  const C = out.storage.array;
  const biasData = bias?.storage.array;
  for (let z = 0; z < batch; z++) {
    const [a0, b0, c0] = [a.offset + z * sab, b.offset + z * sbb, z * M * N];
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += A[a0 + i * sa0 + k * sa1] * B[b0 + k * sb0 + j * sb1];
        if (bias) acc += biasData![bias.offset + j * bias.strides[0]];
        C[c0 + i * N + j] = relu && acc < 0 ? 0 : acc;
      }
    }
  }
  return out;
}

function checkOperands(op: string, a: Tensor, b: Tensor): void {
  checkSameDevice([a, b]);
  checkDType(op, a, FLOATS, 'mat1');
  checkDType(op, b, [a.dtype], 'mat2');
}

function check2d(op: string, a: Tensor, b: Tensor): void {
  checkOperands(op, a, b);
  if (a.ndim !== 2) throw new RangeError(`${op}: self must be a matrix, found ${a.ndim}-D (shape [${a.shape.join(', ')}])`);
  if (b.ndim !== 2) throw new RangeError(`${op}: mat2 must be a matrix, found ${b.ndim}-D (shape [${b.shape.join(', ')}])`);
}

/** PyTorch's error when the K of 2-D a [M, K] and b [K', N] (b [K'] for a matrix-vector product) differ. */
function checkInner(a: readonly number[], b: readonly number[], vector = false): void {
  if (a[1] === b[0]) return;
  throw new RangeError(
    vector
      ? `size mismatch, got input (${a[0]}), mat (${a.join('x')}), vec (${b[0]})`
      : `mat1 and mat2 shapes cannot be multiplied (${a.join('x')} and ${b.join('x')})`,
  );
}

/** The recorded product of 2-D or of 3-D operands (one batch size), on gemm. */
function product(a: Tensor, b: Tensor): Tensor {
  const [r, c] = [a.ndim - 2, a.ndim - 1];
  return record(a.ndim === 3 ? 'Bmm' : 'Mm', [a, b], gemm(a, b, null, false), [a, b], (g, [sa, sb]) => [
    a.requiresGrad ? gemm(g, transpose(sb, r, c), null, false) : null,
    b.requiresGrad ? gemm(transpose(sa, r, c), g, null, false) : null,
  ]);
}

/** Matrix product of 2-D tensors, like torch.mm. */
export function mm(a: Tensor, b: Tensor): Tensor {
  check2d('mm', a, b);
  checkInner(a.shape, b.shape);
  return product(a, b);
}

/** Products of the matrices of 3-D a [B, M, K] and b [B, K, N] (no broadcasting), like torch.bmm. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkOperands('bmm', a, b);
  if (a.ndim !== 3) throw new RangeError(`batch1 must be a 3D tensor, found ${a.ndim}-D`);
  if (b.ndim !== 3) throw new RangeError(`batch2 must be a 3D tensor, found ${b.ndim}-D`);
  checkBatch(a.shape, b.shape);
  return product(a, b);
}

function checkBatch(a: readonly number[], b: readonly number[]): void {
  if (b[0] !== a[0] || b[1] !== a[2]) {
    throw new RangeError(`Expected size for first two dimensions of batch2 tensor to be: [${a[0]}, ${a[2]}] but got: [${b[0]}, ${b[1]}].`);
  }
}

/** Inner product of two 1-D tensors of one size, a 0-d tensor, like torch.dot. */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkOperands('dot', a, b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new RangeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.shape[0] !== b.shape[0]) {
    throw new RangeError(
      `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
    );
  }
  return reshape(product(reshape(a, [1, -1]), reshape(b, [-1, 1])), []);
}

/**
 * Matrix product with torch.matmul's rules: 1-D·1-D is dot; a 1-D operand is a row (first) or
 * a column (second) that is dropped from the result; 2-D·2-D is mm; N-D operands are batches of
 * matrices whose batch dims broadcast (N-D·2-D folds the batch into the rows of one product).
 * Every case runs on the 2-D kernels, a batch as one dispatch.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkOperands('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  if (a.ndim === 1 && b.ndim === 1) return dot(a, b);
  if (a.ndim <= 2 && b.ndim <= 2) {
    const [a2, b2] = [a.ndim === 1 ? reshape(a, [1, -1]) : a, b.ndim === 1 ? reshape(b, [-1, 1]) : b];
    checkInner(a2.shape, b2.shape, b.ndim === 1);
    const out = product(a2, b2);
    return a.ndim === 1 || b.ndim === 1 ? reshape(out, [-1]) : out;
  }
  if (b.ndim <= 2) {
    // [..., M, K] · [K, N] as one [(...·M), K] · [K, N] product, as PyTorch folds it.
    const b2 = b.ndim === 1 ? reshape(b, [-1, 1]) : b;
    const rows = reshape(a, [-1, a.shape[a.ndim - 1]]);
    checkInner(rows.shape, b2.shape, b.ndim === 1);
    const out = product(rows, b2);
    return reshape(out, b.ndim === 1 ? a.shape.slice(0, -1) : [...a.shape.slice(0, -1), b2.shape[1]]);
  }
  return batchedMatmul(a, b);
}

/** matmul when b has a batch: both broadcast to one batch shape, merged into one batch dim. */
function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const a3 = a.ndim === 1 ? reshape(a, [1, -1]) : a;
  const [M, K] = a3.shape.slice(-2);
  const [K2, N] = b.shape.slice(-2);
  const batch = broadcastShapes(a3.shape.slice(0, -2), b.shape.slice(0, -2));
  const count = numel(batch);
  checkBatch([count, M, K], [count, K2, N]);
  const left = reshape(expand(a3, [...batch, M, K]), [count, M, K]);
  const right = reshape(expand(b, [...batch, K, N]), [count, K, N]);
  const out = reshape(product(left, right), [...batch, M, N]);
  return a.ndim === 1 ? reshape(out, [...batch, N]) : out;
}

/**
 * x·weightᵀ + bias, then ReLU when `relu` is set: one kernel forward, like F.linear (followed by
 * F.relu). weight is [out, in] as in PyTorch.
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, relu = false): Tensor {
  check2d('linear', x, weight);
  if (x.shape[1] !== weight.shape[1]) {
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${x.shape.join('x')} and ${weight.shape[1]}x${weight.shape[0]})`);
  }
  if (bias) {
    checkSameDevice([x, bias]);
    if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) {
      throw new RangeError(`linear: bias must have shape [${weight.shape[0]}], found [${bias.shape.join(', ')}]`);
    }
  }
  const out = gemm(x, transpose(weight, 0, 1), bias, relu);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  // y: the output of the ReLU that follows, fused here or run by the ReLU node's fused rule (elementwise.ts).
  const backward = (g: Tensor, [sx, sw]: readonly Tensor[], y: Tensor | null) => {
    const { gz, db } = linearGradients(g, y, bias?.requiresGrad ?? false);
    return [x.requiresGrad ? gemm(gz, sw, null, false) : null, weight.requiresGrad ? gemm(transpose(gz, 0, 1), sx, null, false) : null, db];
  };
  if (relu) return record('LinearRelu', inputs, out, [x, weight, out], (g, [sx, sw, sy]) => backward(g, [sx, sw], sy));
  const backwardAfterRelu: BackwardAfterRelu = (g, y, saved) => backward(g, saved, y);
  return record('Linear', inputs, out, [x, weight], (g, saved) => backward(g, saved, null), { attrs: { backwardAfterRelu } });
}

/**
 * The output gradient before the products, g·[y > 0] after a ReLU (else g itself), and the bias
 * gradient, its column sums, when wanted: on webgpu one pass over g instead of two kernels, which
 * stores gz transposed (a [N, M] tensor returned as its [M, N] view), as the products read it best
 * (g itself goes straight to the products only when there is neither ReLU nor bias).
 */
function linearGradients(g: Tensor, y: Tensor | null, biasGrad: boolean): { gz: Tensor; db: Tensor | null } {
  if (g.device.type === 'cpu') {
    const gz = y ? reluBackward(y, g) : g;
    return { gz, db: biasGrad ? sum(gz, 0) : null };
  }
  if (!y && !biasGrad) return { gz: g, db: null };
  const [M, N] = g.shape;
  const gzT = empty([N, M], g.dtype, g.device);
  const db = biasGrad ? empty([N], g.dtype, g.device) : null;
  // Without a bias the db slot takes the placeholder (two written slots need two buffers).
  const params = { M, N, off_g: g.offset, gs0: g.strides[0], gs1: g.strides[1], off_y: y?.offset ?? 0 };
  const spec = { family: 'matmul-bias-grad', constants: { RELU: y ? 1 : 0, BIAS: biasGrad ? 1 : 0 } };
  if (N > 0) launch('linear.backward', spec, [g, y ?? g, gzT, db ?? placeholder(g.device)], params, [Math.ceil(N / 32)]);
  return { gz: transpose(gzT, 0, 1), db };
}
