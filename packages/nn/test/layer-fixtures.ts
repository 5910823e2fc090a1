import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { fromArray, type Device, type DType, type Tensor } from '@mini/tensor';
import { gradcheck, type GradcheckOptions } from '@mini/autograd';

/** A tensor as scripts/fixtures/nn_layers.py writes it. */
export interface Values {
  shape: number[];
  data: number[];
}

/** One case: inputs by name, options, PyTorch's output and gradients (of sum(output · upstream)). */
export interface Case {
  name: string;
  options: Record<string, unknown>;
  input: Values;
  output: Values;
  upstream: Values;
  grads: Record<string, Values>;
  [key: string]: unknown;
}

/** PyTorch 1.13's values for the layers beyond the MLP (scripts/fixtures/nn_layers.py). */
export const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures/layers_torch.json', import.meta.url), 'utf8')) as Record<string, Case[]> & { torch: string };

/** Where the fixtures run: float64 on cpu (tight), float32 on webgpu (float32 rounding). */
export interface Target {
  device: 'cpu' | Device;
  dtype: DType;
  rtol: number;
  atol: number;
}

export function targets(gpu: () => Device): Target[] {
  return [
    { device: 'cpu', dtype: 'float64', rtol: 1e-9, atol: 1e-10 },
    { get device() { return gpu(); }, dtype: 'float32', rtol: 2e-4, atol: 2e-4 },
  ];
}

export function load(v: Values, t: Target, requiresGrad = false): Tensor {
  return fromArray(v.data, v.shape, { device: t.device, dtype: t.dtype, requiresGrad });
}

/** The tensor's shape and values match PyTorch's within the target's tolerance, the worst element named. */
export async function expectValues(actual: Tensor, expected: Values, t: Target, what: string): Promise<void> {
  expect(actual.shape, what).toEqual(expected.shape);
  const a = await actual.toArray();
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const over = Math.abs(a[i] - e) - (t.atol + t.rtol * Math.abs(e));
    if (!(over <= 0) && (worst < 0 || over > excess)) [worst, excess] = [i, over];
  }
  if (worst >= 0) expect.fail(`${what}: element ${worst} is ${a[worst]}, PyTorch's ${expected.data[worst]}`);
}

/** Backpropagates sum(output · upstream) from `output`. */
export function backwardWith(output: Tensor, upstream: Values, t: Target): void {
  output.backward(load(upstream, t));
}

/** gradcheck must pass (it throws naming the mismatching element otherwise). */
export async function expectGradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options?: GradcheckOptions): Promise<void> {
  expect(await gradcheck(fn, inputs, options)).toBe(true);
}

/** A float64 cpu tensor of seeded values in [-1, 1) that requires grad. */
export function randomLeaf(shape: readonly number[], seed: number, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 1.37) * 0.9 + Math.cos(i * 0.11 + seed) * 0.1);
  return fromArray(data, shape, { dtype: 'float64', device: 'cpu', requiresGrad });
}

/** The same seeded float32 values (scale·sin(…) + shift) on cpu and on `gpu`, both leaves that require grad. */
export function both(shape: readonly number[], seed: number, gpu: Device, scale = 1, shift = 0): [Tensor, Tensor] {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 104729 + i * 0.731) * scale + shift);
  return [fromArray(data, shape, { device: 'cpu', requiresGrad: true }), fromArray(data, shape, { device: gpu, requiresGrad: true })];
}

/** The webgpu result b matches the cpu reference a within `tol` (relative and absolute). */
export async function expectSame(a: Tensor, b: Tensor, what: string, tol = 1e-4): Promise<void> {
  expect(b.shape, what).toEqual(a.shape);
  const [x, y] = [await a.toArray(), await b.toArray()];
  for (let i = 0; i < x.length; i++) {
    if (!(Math.abs(x[i] - y[i]) <= tol + tol * Math.abs(x[i]))) expect.fail(`${what}: element ${i} is ${y[i]} on webgpu, ${x[i]} on cpu`);
  }
}
