import { describe, expect, it } from 'vitest';
import * as mini from '@mini/tensor';
import { fromArray, isFloating, type Device, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { expectClose, expectTensorsClose, pairOf, randomInts, SHAPES, uniformData, webgpu } from './helpers.ts';

const { ELEMENTWISE_OPS, applyElementwise } = testing;

// Opened while the tests are collected: the adapter decides the sin and cos tolerances (below).
const gpu: Device = await webgpu();

type Range = [number, number];

/** Where each op's operands are drawn from, where [-3, 3] does not do (poles, domains, bounds). */
const DOMAINS: Record<string, Range[]> = {
  div: [[-3, 3], [0.25, 4]],
  pow: [[0.1, 4], [-3, 3]],
  log: [[1e-3, 100]],
  sqrt: [[0, 100]],
  rsqrt: [[1e-3, 100]],
  sin: [[-7, 7]],
  cos: [[-7, 7]],
  exp: [[-10, 10]],
  clamp: [[-3, 3], [-1.5, 0], [0, 1.5]],
  softplus: [[-30, 30]],
  softplusBackward: [[-30, 30], [-1, 1]],
  tanh: [[-12, 12]],
  sigmoid: [[-20, 20]],
};
/** Ops whose inputs are rounded to quarters, so that they meet ties, halves and equal operands. */
const QUANTIZED = new Set(['maximum', 'minimum', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'isclose', 'floor', 'ceil', 'round', 'sign', 'abs', 'where', 'reluBackward']);

// Ops exact in float32 match the cpu reference (doubles rounded to float32) to the bit; division
// and square roots may be off by an ulp or two on a GPU; the transcendental functions by a few
// ulps (Vulkan's precision rules): rtol 1e-5 plus atol 1e-6 where results cross 0. gelu's erf is
// a 1.5e-7 approximation.
const TOLERANCE: Record<string, [number, number]> = { sin: [1e-5, 2e-6], cos: [1e-5, 2e-6] };
const DEFAULT_TOLERANCE: [number, number] = [1e-5, 1e-6];

/**
 * WGSL's accuracy for f32 sin and cos: absolute error at most 2^-11 on [-π, π] (and no bound
 * beyond). Vulkan drivers (lavapipe) meet the tighter tolerances above; SwiftShader, Chromium's
 * adapter without a GPU, is up to 3e-5 off on [-7, 7] and 1.9e-4 at |x| = 20 (its argument
 * reduction), so there sin and cos are held to WGSL's bound, over the whole range tested.
 */
const WGSL_SIN_COS_ATOL = 2 ** -11;
const SWIFTSHADER = /swiftshader/i.test(`${gpu.gpu.adapterInfo.architecture} ${gpu.gpu.adapterInfo.description}`);

/** The op's [rtol, atol] on this adapter: `usual`, or WGSL's bound for sin and cos on SwiftShader. */
function toleranceHere(name: string, usual: [number, number]): [number, number] {
  return SWIFTSHADER && (name === 'sin' || name === 'cos') ? [usual[0], WGSL_SIN_COS_ATOL] : usual;
}

function draw(name: string, arity: number, n: number, seed: number): Float32Array[] {
  const ranges = DOMAINS[name] ?? [];
  return Array.from({ length: arity }, (_, i) => {
    const [lo, hi] = ranges[i] ?? ranges[0] ?? [-3, 3];
    const data = uniformData(n, seed + i, lo, hi);
    return QUANTIZED.has(name) ? data.map((v) => Math.round(v * 4) / 4) : data;
  });
}

/** Operand shapes per case: each of SHAPES for every operand, broadcasts, and a transposed (non-contiguous) view. */
function cases(arity: number): { label: string; shapes: number[][]; transpose?: boolean }[] {
  const same = SHAPES.map((s) => ({ label: `[${s}]`, shapes: Array.from({ length: arity }, () => s) }));
  const broadcast = [[7, 1], [1, 33], [33]].slice(0, arity);
  return [
    ...same,
    { label: `broadcast ${broadcast.map((s) => `[${s}]`).join(' ')}`, shapes: broadcast },
    { label: 'transposed [33, 7] views', shapes: Array.from({ length: arity }, () => [33, 7]), transpose: true },
  ];
}

function operandsFor(name: string, shapes: number[][], transpose: boolean, seed: number): [Tensor[], Tensor[]] {
  const data = draw(name, shapes.length, Math.max(...shapes.map((s) => s.reduce((a, b) => a * b, 1))), seed);
  const pairs = shapes.map((s, i) => pairOf(data[i].slice(0, s.reduce((a, b) => a * b, 1)), s, gpu));
  const view = (t: Tensor) => (transpose ? t.t() : t);
  return [pairs.map(([c]) => view(c)), pairs.map(([, g]) => view(g))];
}

describe('every row of the elementwise table: webgpu matches the cpu reference', () => {
  it('the test configuration names only rows that exist', () => {
    for (const name of [...Object.keys(DOMAINS), ...QUANTIZED, ...Object.keys(TOLERANCE)]) expect(ELEMENTWISE_OPS.has(name), name).toBe(true);
  });

  for (const op of ELEMENTWISE_OPS.values()) {
    const [rtol, atol] = toleranceHere(op.name, TOLERANCE[op.name] ?? DEFAULT_TOLERANCE);
    it(`${op.name} on odd shapes, broadcasts and transposed views (rtol ${rtol}, atol ${atol})`, async () => {
      for (const [i, c] of cases(op.arity).entries()) {
        const [onCpu, onGpu] = operandsFor(op.name, c.shapes, c.transpose ?? false, 100 * i + op.arity);
        const expected = applyElementwise(op, onCpu);
        const actual = applyElementwise(op, onGpu);
        expect(actual.shape, c.label).toEqual(expected.shape);
        expect(actual.dtype, c.label).toBe(expected.dtype);
        const a = await actual.toArray();
        const e = await expected.toArray();
        try {
          expectClose(a, e, rtol, atol);
        } catch (error) {
          throw new Error(`${op.name} ${c.label}: ${(error as Error).message}`);
        }
      }
    });
  }

  for (const op of [...ELEMENTWISE_OPS.values()].filter((o) => o.attrs.length > 0)) {
    it(`${op.name} with number arguments other than the defaults`, async () => {
      const attrs = op.attrs.map(([, fallback], i) => (fallback === 0 ? 1 : fallback * (i % 2 ? 0.5 : 3)));
      const [onCpu, onGpu] = operandsFor(op.name, Array.from({ length: op.arity }, () => [257]), false, 5);
      await expectTensorsClose(applyElementwise(op, onGpu, attrs), applyElementwise(op, onCpu, attrs), ...DEFAULT_TOLERANCE);
    });
  }
});

describe('every row on int32 operands', () => {
  for (const op of ELEMENTWISE_OPS.values()) {
    it(`${op.name}: int32 results equal the cpu reference, or the op refuses integers`, async () => {
      const ints = Array.from({ length: op.arity }, (_, i) => randomInts(257, 31 + i, op.name === 'div' && i === 1 ? 1 : -20, 20));
      const make = (device: Device | 'cpu') => ints.map((d) => fromArray(d, [257], { device }));
      let expected: Tensor;
      try {
        expected = applyElementwise(op, make('cpu'));
      } catch (error) {
        expect((error as Error).message).toContain('expected a floating point tensor, found dtype int32');
        return;
      }
      const actual = applyElementwise(op, make(gpu));
      expect(actual.dtype).toBe(expected.dtype);
      // Integer and bool results are exact; float ones (integers promoted) as above, with atol
      // 1e-4 for derivatives scaled by gradients up to 20 whose float32 tanh saturates.
      const [rtol, atol] = isFloating(expected.dtype) ? toleranceHere(op.name, [1e-5, 1e-4]) : [0, 0];
      expectClose(await actual.toArray(), await expected.toArray(), rtol, atol);
    });
  }
});

describe('operands, options and errors', () => {
  it('a boolean operand stands for 0 or 1, in comparisons and arithmetic, on both devices', async () => {
    for (const device of ['cpu', gpu] as const) {
      const mask = fromArray([1, 0, 1], [3], { dtype: 'bool', device });
      expect(Array.from(await mini.eq(mask, false).toArray())).toEqual([0, 1, 0]);
      expect(Array.from(await mask.ne(true).toArray())).toEqual([0, 1, 0]);
      const x = fromArray([1.5, 2.5, 3.5], [3], { device });
      expect(Array.from(await x.add(true).toArray())).toEqual([2.5, 3.5, 4.5]);
      expect(Array.from(await mini.where(mask, x, false).toArray())).toEqual([1.5, 0, 3.5]);
    }
  });

  it('where() of two bool operands is bool, as in PyTorch; with a number it promotes', async () => {
    for (const device of ['cpu', gpu] as const) {
      const mask = fromArray([1, 0, 1], [3], { dtype: 'bool', device });
      const other = fromArray([0, 1, 1], [3], { dtype: 'bool', device });
      const both = mini.where(mask, other, mask);
      expect(both.dtype).toBe('bool');
      expect(Array.from(await both.toArray())).toEqual([0, 0, 1]);
      const withBoolean = mini.where(mask, false, other);
      expect(withBoolean.dtype).toBe('bool');
      expect(Array.from(await withBoolean.toArray())).toEqual([0, 1, 0]);
      const withNumber = mini.where(mask, other, 2);
      expect(withNumber.dtype).toBe('int32');
      expect(Array.from(await withNumber.toArray())).toEqual([0, 2, 1]);
    }
  });

  it('allclose, isclose and equal', async () => {
    for (const device of ['cpu', gpu] as const) {
      const a = fromArray([1, 2, NaN], [3], { device });
      const b = fromArray([1 + 1e-6, 2, NaN], [3], { device });
      expect(await a.allclose(b)).toBe(false);
      expect(await a.allclose(b, { equalNan: true })).toBe(true);
      expect(await mini.allclose(a, b, { rtol: 0, atol: 0, equalNan: true })).toBe(false);
      expect(Array.from(await a.isclose(b).toArray())).toEqual([1, 1, 0]);
      expect(await a.narrow(0, 0, 2).equal(b.narrow(0, 1, 1).expand(2))).toBe(false);
      expect(await a.narrow(0, 1, 1).equal(b.narrow(0, 1, 1))).toBe(true);
      expect(await a.equal(a.reshape(3, 1))).toBe(false);
    }
  });

  it('unknown options and bad arguments are errors that name them', () => {
    const x = fromArray([1, 2], [2], { device: gpu });
    expect(() => mini.gelu(x, { approximat: 'tanh' } as never)).toThrow("gelu() got an unexpected keyword argument 'approximat'");
    expect(() => mini.gelu(x, { approximate: 'erf' } as never)).toThrow('approximate argument must be either none or tanh, found "erf"');
    expect(() => x.isclose(x, { equal_nan: true } as never)).toThrow("isclose() got an unexpected keyword argument 'equal_nan'");
    expect(() => x.clamp()).toThrow("torch.clamp: At least one of 'min' or 'max' must not be None");
    expect(() => mini.leakyRelu(fromArray(Int32Array.from([1]), [1], { device: gpu }))).toThrow('leakyRelu(): expected a floating point tensor, found dtype int32');
    expect(() => mini.softplus(x, 1, 20, 3)).toThrow('softplus() takes 2 number arguments after the tensor operands, found 3');
    expect(() => mini.add(x, 'a' as never)).toThrow('add(): expected a Tensor, a number or a boolean as operand, found string');
  });

  it('clamp keeps an integer tensor integer with one bound missing, and promotes with a fractional bound', async () => {
    const t = fromArray(Int32Array.from([-5, 0, 7]), [3], { device: gpu });
    expect(t.clamp(0).dtype).toBe('int32');
    expect(Array.from(await t.clamp(0).toArray())).toEqual([0, 0, 7]);
    expect(Array.from(await t.clamp(null, 3).toArray())).toEqual([-5, 0, 3]);
    expect(t.clamp(0.5).dtype).toBe('float32');
    expect(Array.from(await t.clamp(-1.5, 2.5).toArray())).toEqual([-1.5, 0, 2.5]);
  });
});
