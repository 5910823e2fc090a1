import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import type { WebGPURuntime } from '../device/webgpu.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, FLOATS } from './checks.ts';
import { reluBackward } from './elementwise.ts';
import { launch, placeholder } from './gpu.ts';
import { sum } from './reduce.ts';
import { transpose } from './views.ts';

/**
 * The matmul kernel families (kernels/matmul*.wgsl), all with the same bindings and params:
 * - 'subgroup': CPU adapters with 8-wide subgroups (lavapipe): no workgroup memory, values of A
 *   passed between lanes by subgroupShuffle, vec4 loads where the layout allows (matmul-vec4-k,
 *   matmul-vec4-n, matmul-vec4-mn, else matmul-subgroup); 5-10x the tiled kernel there.
 * - 'columns': CPU adapters without subgroups (Dawn's GL backend on llvmpipe).
 * - 'tiled': 64x64 tiles in workgroup memory, for real GPUs.
 */
export type MatmulKernel = 'subgroup' | 'columns' | 'tiled';
export const MATMUL_KERNELS: readonly MatmulKernel[] = ['subgroup', 'columns', 'tiled'];

let forced: MatmulKernel | null = null;

/** Forces one kernel family for every later matmul (tests, benchmarks); null restores the choice by adapter. */
export function setMatmulKernel(kernel: MatmulKernel | null): void {
  if (kernel !== null && !MATMUL_KERNELS.includes(kernel)) {
    throw new Error(`unknown matmul kernel '${kernel}'; expected one of ${MATMUL_KERNELS.join(', ')}`);
  }
  forced = kernel;
}

function isSoftwareAdapter(gpu: WebGPURuntime): boolean {
  const info = gpu.adapterInfo as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const names = `${info.architecture} ${info.device} ${info.description}`;
  return info.isFallbackAdapter === true || /software|llvmpipe|lavapipe|swiftshader/i.test(names);
}

/** The kernel family that runs matmuls on this device: forced, MINI_MATMUL_KERNEL, or chosen by adapter. */
export function matmulKernel(gpu: WebGPURuntime): MatmulKernel {
  const wanted = forced ?? (process.env.MINI_MATMUL_KERNEL as MatmulKernel | undefined);
  if (wanted && !MATMUL_KERNELS.includes(wanted)) {
    throw new Error(`MINI_MATMUL_KERNEL=${wanted} is not a matmul kernel; expected one of ${MATMUL_KERNELS.join(', ')}`);
  }
  const kernel = wanted ?? (isSoftwareAdapter(gpu) ? 'subgroup' : 'tiled');
  if (kernel !== 'subgroup') return kernel;
  const info = gpu.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const eightWide = gpu.hasFeature('subgroups') && info.subgroupMinSize === 8 && info.subgroupMaxSize === 8;
  if (eightWide) return 'subgroup';
  if (wanted) throw new Error(`the 'subgroup' matmul kernel needs 8-wide subgroups, which this adapter lacks`);
  return 'columns';
}

/** The kernel, its specialization and its grid for one product. */
export interface MatmulPlan {
  family: string;
  template: Record<string, string>;
  constants: Record<string, number>;
  workgroups: [number, number];
}

const aligned = (...values: number[]) => values.every((v) => v % 4 === 0);

/**
 * Multiply-adds below which a product costs little more than its dispatch: on CPU adapters such
 * products, unless a vec4 kernel takes their layout, take the columns kernel with a small tile,
 * which compiles in a quarter of the time of the scalar subgroup kernel (0.07 against 0.27 s).
 */
const SMALL_PRODUCT = 256 * 64 * 64;

/** Flags of the params field `epilogue` in kernels/matmul*.wgsl. */
const EPILOGUE_BIAS = 1;
const EPILOGUE_RELU = 2;

/**
 * Kernel, tile and grid for a [M, K] · b [K, N]. Tiles were measured on lavapipe (bench/RESULTS.md):
 * bigger ones spill or stop being unrolled by the shader compiler (and collapse to a few GFLOP/s),
 * smaller ones load more per multiply-add. On the subgroup family, operands whose rows are
 * 16-byte aligned and K (and N or M) multiples of 4 take the vec4 kernels, the rest the scalar one.
 */
export function matmulPlan(a: Tensor, b: Tensor): MatmulPlan {
  const [M, K] = a.shape;
  const N = b.shape[1];
  const kernel = matmulKernel(a.device.gpu);
  if (kernel === 'tiled') return { family: 'matmul', template: {}, constants: {}, workgroups: [Math.ceil(N / 64), Math.ceil(M / 64)] };
  const small = M * N * K <= SMALL_PRODUCT;
  if (kernel === 'columns') return columnsPlan(M, N, small);
  const [sa0, sa1] = a.strides;
  const [sb0, sb1] = b.strides;
  const aAlongK = sa1 === 1 && aligned(sa0, a.offset, K);
  const aAlongM = sa0 === 1 && aligned(sa1, a.offset, M);
  // The vec4 kernels serve small products too: a Linear's training step compiles all three anyway
  // (forward, input and weight gradients), and they run small products twice as fast as columns.
  if (aAlongK && sb0 === 1 && aligned(sb1, b.offset)) {
    const [TM, TN] = [M <= 16 ? 16 : 32, 3];
    return { family: 'matmul-vec4-k', template: { TM: String(TM), TN: String(TN) }, constants: {}, workgroups: [Math.ceil(N / (8 * TN)), Math.ceil(M / TM)] };
  }
  if ((aAlongK || aAlongM) && sb1 === 1 && aligned(sb0, b.offset, N)) {
    const [family, TM] = aAlongK ? ['matmul-vec4-n', 16] : ['matmul-vec4-mn', 24];
    return { family, template: { TM: String(TM), TN: '1' }, constants: {}, workgroups: [Math.ceil(N / 32), Math.ceil(M / TM)] };
  }
  if (small) return columnsPlan(M, N, small);
  // A read along m when m is its contiguous dim (a transposed operand, as in the weight gradient).
  const alongM = Math.abs(sa0) < Math.abs(sa1) || (sa0 === 1 && a.shape[1] === 1);
  const TM = M <= 8 ? 8 : M <= 16 ? 16 : alongM ? 24 : 32;
  const TN = alongM || M <= 16 ? 2 : 3;
  return {
    family: 'matmul-subgroup',
    template: { TM: String(TM), TN: String(TN) },
    constants: { A_ALONG_M: alongM ? 1 : 0 },
    workgroups: [Math.ceil(N / (8 * TN)), Math.ceil(M / TM)],
  };
}

function columnsPlan(M: number, N: number, small: boolean): MatmulPlan {
  const [TM, TN, WG] = small ? [8, 2, 8] : [M <= 8 ? 8 : 16, 4, 8];
  const template = { TM: String(TM), TN: String(TN), WG: String(WG) };
  return { family: 'matmul-columns', template, constants: {}, workgroups: [Math.ceil(N / (WG * TN)), Math.ceil(M / TM)] };
}

/**
 * a·b (+ bias) (then ReLU) for 2-D a [M, K] and b [K, N], read through their strides; not
 * recorded. The CPU reference accumulates in float64.
 */
function gemm(a: Tensor, b: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  const [M, K] = a.shape;
  const N = b.shape[1];
  const out = empty([M, N], a.dtype, a.device);
  if (a.device.type === 'cpu') {
    const A = a.storage.array;
    const B = b.storage.array;
    const C = out.storage.array;
    const biasData = bias?.storage.array;
    const [sa0, sa1] = a.strides;
    const [sb0, sb1] = b.strides;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += A[a.offset + i * sa0 + k * sa1] * B[b.offset + k * sb0 + j * sb1];
        if (bias) acc += biasData![bias.offset + j * bias.strides[0]];
        C[i * N + j] = relu && acc < 0 ? 0 : acc;
      }
    }
    return out;
  }
  // K = 0 needs no special case: the k loop runs zero times and each output is relu(bias or 0).
  if (M === 0 || N === 0) return out;
  const epilogue = (bias ? EPILOGUE_BIAS : 0) | (relu ? EPILOGUE_RELU : 0);
  const params = {
    M, N, K,
    off_a: a.offset, off_b: b.offset, off_bias: bias?.offset ?? 0,
    sa0: a.strides[0], sa1: a.strides[1], sb0: b.strides[0], sb1: b.strides[1],
    epilogue,
  };
  const { family, template, constants, workgroups } = matmulPlan(a, b);
  launch(relu ? 'linear+relu' : bias ? 'linear' : 'matmul', { family, template, constants }, [a, b, bias ?? a, out], params, workgroups);
  return out;
}

function check2d(op: string, a: Tensor, b: Tensor): void {
  checkSameDevice([a, b]);
  checkDType(op, a, FLOATS, 'mat1');
  checkDType(op, b, [a.dtype], 'mat2');
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new RangeError(`${op}: expected 2-D tensors, found ${a.ndim}-D and ${b.ndim}-D (shapes [${a.shape}] and [${b.shape}])`);
  }
}

/** Matrix product of 2-D tensors, like torch.matmul / torch.mm. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  check2d('matmul', a, b);
  if (a.shape[1] !== b.shape[0]) {
    throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${a.shape.join('x')} and ${b.shape.join('x')})`);
  }
  const out = gemm(a, b, null, false);
  return record('Mm', [a, b], out, [a, b], (g, [sa, sb]) => [
    a.requiresGrad ? gemm(g, transpose(sb, 0, 1), null, false) : null,
    b.requiresGrad ? gemm(transpose(sa, 0, 1), g, null, false) : null,
  ]);
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
  return record(relu ? 'LinearRelu' : 'Linear', inputs, out, relu ? [x, weight, out] : [x, weight], (g, [sx, sw, sy]) => {
    const { gz, db } = linearGradients(g, relu ? sy : null, bias?.requiresGrad ?? false);
    return [x.requiresGrad ? gemm(gz, sw, null, false) : null, weight.requiresGrad ? gemm(transpose(gz, 0, 1), sx, null, false) : null, db];
  });
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
