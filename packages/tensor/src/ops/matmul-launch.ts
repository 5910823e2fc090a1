import { empty } from '../alloc.ts';
import type { Tensor } from '../tensor.ts';
import { launch } from './gpu.ts';
import type { MatmulPlan } from './matmul-plan.ts';

/** Flags of the params field `epilogue` in kernels/matmul*.wgsl. */
const EPILOGUE_BIAS = 1;
const EPILOGUE_RELU = 2;

/** Products in one dispatch: the most workgroups a grid has along z. */
const MAX_BATCH = 65535;

/** The matrices of a 2-D operand (one) or of a 3-D one (a batch): sizes, strides and where they start. */
export interface Matrices {
  batch: number;
  /** Elements from one matrix of the batch to the next (0 for 2-D: every batch index reads the same). */
  batchStride: number;
  rows: number;
  cols: number;
  s0: number;
  s1: number;
  offset: number;
}

export function matrices(t: Tensor): Matrices {
  const [rows, cols] = t.shape.slice(-2);
  const [s0, s1] = t.strides.slice(-2);
  const batched = t.ndim === 3;
  return { batch: batched ? t.shape[0] : 1, batchStride: batched ? t.strides[0] : 0, rows, cols, s0, s1, offset: t.offset };
}

/**
 * Records a·b (+ bias) (then ReLU) on webgpu with the kernel and grid of `plan` (its workgroups
 * [x, y]; the batch becomes z): 2-D a [M, K] and b [K, N], or 3-D a [B, M, K] and b [B, K, N].
 */
export function launchProduct(a: Tensor, b: Tensor, bias: Tensor | null, relu: boolean, plan: MatmulPlan): Tensor {
  const { batch, batchStride: sab, rows: M, cols: K, s0: sa0, s1: sa1 } = matrices(a);
  const { batchStride: sbb, cols: N, s0: sb0, s1: sb1 } = matrices(b);
  const out = empty(a.ndim === 3 ? [batch, M, N] : [M, N], a.dtype, a.device);
  // K = 0 needs no special case: the k loop runs zero times and each output is relu(bias or 0).
  if (M === 0 || N === 0 || batch === 0) return out;
  if (batch > MAX_BATCH) throw new RangeError(`bmm: a batch of ${batch} products exceeds the ${MAX_BATCH} one dispatch runs on webgpu`);
  const epilogue = (bias ? EPILOGUE_BIAS : 0) | (relu ? EPILOGUE_RELU : 0);
  const params = {
    M, N, K,
    off_a: a.offset, off_b: b.offset, off_bias: bias?.offset ?? 0,
    sa0, sa1, sb0, sb1, sab, sbb,
    epilogue,
  };
  const { family, template, constants, workgroups } = plan;
  const label = relu ? 'linear+relu' : bias ? 'linear' : a.ndim === 3 ? 'bmm' : 'matmul';
  // A ReLU over the whole output may join the epilogue at submit, when nothing else reads the output (webgpu.ts).
  const fusion = relu ? undefined : { reluEpilogue: { out: out.storage.buffer, outBinding: 3, elements: batch * M * N, withRelu: { ...params, epilogue: epilogue | EPILOGUE_RELU } } };
  launch(label, { family, template, constants }, [a, b, bias ?? a, out], params, [workgroups[0], workgroups[1], batch], fusion);
  return out;
}
