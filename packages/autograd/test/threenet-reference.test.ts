import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, linear, logSoftmax, nllLoss, type Device, type DType, type Tensor } from '@mini/tensor';
import { webgpu } from '../../tensor/test/helpers.ts';
import { relativeError } from './helpers.ts';

/**
 * PyTorch's loss and gradients for a fixed ThreeNet 49-20-12-10 on a batch of 33, written by
 * scripts/fixtures/autograd_threenet.py (in float64, from float32 weights and inputs).
 *
 * Relative error of a tensor: max|ours − torch| / max|torch| over its elements (for the loss,
 * |ours − torch| / |torch|). Tolerances: 1e-5 on cpu and 1e-4 on webgpu in float32; 1e-10 on
 * cpu in float64, where both sides compute the same float64 sums in different orders.
 */
interface Flat {
  shape: number[];
  data: number[];
}
interface Fixture {
  input: Flat;
  target: number[];
  parameters: Record<string, Flat>;
  loss: number;
  gradients: Record<string, Flat>;
}
const fixture: Fixture = JSON.parse(readFileSync(new URL('./fixtures/autograd_threenet.json', import.meta.url), 'utf8'));
const NAMES = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias'];

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

/** The seed's forward: relu after fc1 and fc2 (fused into linear, or as a separate op), log_softmax, nll_loss. */
function threeNetLoss(x: Tensor, p: Tensor[], target: Tensor, fused: boolean): Tensor {
  const [w1, b1, w2, b2, w3, b3] = p;
  const hidden = (h: Tensor, w: Tensor, b: Tensor) => (fused ? linear(h, w, b, true) : linear(h, w, b).relu());
  return nllLoss(logSoftmax(linear(hidden(hidden(x, w1, b1), w2, b2), w3, b3), 1), target);
}

async function check(device: () => Device | 'cpu', dtype: DType, fused: boolean, tolerance: number): Promise<void> {
  const on = device();
  const make = ({ data, shape }: Flat, requiresGrad = false) => fromArray(data, shape, { dtype, device: on, requiresGrad });
  const params = NAMES.map((name) => make(fixture.parameters[name], true));
  const target = fromArray(fixture.target, [fixture.target.length], { dtype: 'int32', device: on });
  const loss = threeNetLoss(make(fixture.input), params, target, fused);
  loss.backward();

  const lossError = relativeError([await loss.item()], [fixture.loss]);
  expect(lossError, `loss: relative error ${lossError}`).toBeLessThanOrEqual(tolerance);
  for (const [i, name] of NAMES.entries()) {
    const expected = fixture.gradients[name];
    expect(params[i].grad!.shape).toEqual(expected.shape);
    const error = relativeError(await params[i].grad!.toArray(), expected.data);
    expect(error, `${name}.grad: relative error ${error}`).toBeLessThanOrEqual(tolerance);
  }
}

describe('ThreeNet loss and gradients match PyTorch', () => {
  it('on cpu, float32 (relative error ≤ 1e-5)', () => check(() => 'cpu', 'float32', true, 1e-5));
  it('on cpu, float32, with relu as a separate op (relative error ≤ 1e-5)', () => check(() => 'cpu', 'float32', false, 1e-5));
  it('on cpu, float64 (relative error ≤ 1e-10)', () => check(() => 'cpu', 'float64', true, 1e-10));
  it('on webgpu, float32 (relative error ≤ 1e-4)', () => check(() => gpu, 'float32', true, 1e-4));
  it('on webgpu, float32, with relu as a separate op (relative error ≤ 1e-4)', () => check(() => gpu, 'float32', false, 1e-4));
});
