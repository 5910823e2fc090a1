import { record } from '../autograd-hooks.ts';
import { empty } from '../alloc.ts';
import type { Tensor } from '../tensor.ts';
import { checkDType, checkSameDevice, FLOATS } from './checks.ts';
import { reluBackward } from './elementwise.ts';
import { launch, Params } from './gpu.ts';
import { sum } from './reduce.ts';
import { transpose } from './views.ts';

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
  const params = new Params().u32(M, N, K, a.offset, b.offset, bias?.offset ?? 0, a.strides[0], a.strides[1], b.strides[0], b.strides[1]);
  const constants = { HAS_BIAS: bias ? 1 : 0, RELU: relu ? 1 : 0 };
  if (M > 0 && N > 0) {
    launch(relu ? 'linear+relu' : bias ? 'linear' : 'matmul', { family: 'matmul', constants }, [a, b, bias ?? a, out], params, [Math.ceil(N / 64), Math.ceil(M / 64)]);
  }
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
    const gz = relu ? reluBackward(sy, g) : g;
    return [
      x.requiresGrad ? gemm(gz, sw, null, false) : null,
      weight.requiresGrad ? gemm(transpose(gz, 0, 1), sx, null, false) : null,
      bias?.requiresGrad ? sum(gz, 0) : null,
    ];
  });
}
