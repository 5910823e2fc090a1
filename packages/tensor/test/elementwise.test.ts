import { beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  add_,
  copyInto,
  div,
  eq,
  exp,
  fromArray,
  ge,
  gt,
  log,
  lt,
  maximum,
  mul,
  mul_,
  neg,
  pow,
  relu,
  sqrt,
  sub,
  tensor,
  where,
  type Device,
  type Tensor,
} from '@mini/tensor';
import { expectClose, expectTensorsClose, pairOf, randomInts, SHAPES, uniformData, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

type Range = [number, number];

interface OpCase {
  name: string;
  run: (a: Tensor, b: Tensor) => Tensor;
  /** Where the inputs are drawn from. */
  a: Range;
  b?: Range;
  /** Round inputs to quarters so that comparisons meet ties. */
  quantize?: boolean;
  rtol: number;
  atol: number;
}

// Tolerances: ops that are exact in float32 must match the cpu reference (computed in doubles,
// rounded to float32) exactly; division may be off by an ulp or two on a GPU; the
// transcendental functions by a few ulps (Vulkan's precision rules), which rtol 1e-5 covers.
const EXACT = { rtol: 0, atol: 0 };
const ULPS = { rtol: 1e-6, atol: 0 };
// x ± alpha·y rounds alpha·y first on the GPU (or fuses it): up to half an ulp of |alpha·y| ≤ 2.5.
const ALPHA = { rtol: 1e-6, atol: 2.5e-7 };
const TRANSCENDENTAL = { rtol: 1e-5, atol: 1e-6 };

const OPS: OpCase[] = [
  { name: 'add', run: (a, b) => add(a, b), a: [-1, 1], b: [-1, 1], ...EXACT },
  { name: 'add with alpha', run: (a, b) => add(a, b, 2.5), a: [-1, 1], b: [-1, 1], ...ALPHA },
  { name: 'sub', run: (a, b) => sub(a, b), a: [-1, 1], b: [-1, 1], ...EXACT },
  { name: 'sub with alpha', run: (a, b) => a.sub(b, -0.75), a: [-1, 1], b: [-1, 1], ...ALPHA },
  { name: 'mul', run: (a, b) => mul(a, b), a: [-3, 3], b: [-3, 3], ...EXACT },
  { name: 'div', run: (a, b) => div(a, b), a: [-3, 3], b: [0.25, 4], ...ULPS },
  { name: 'neg', run: (a) => neg(a), a: [-3, 3], ...EXACT },
  { name: 'exp', run: (a) => exp(a), a: [-10, 10], ...TRANSCENDENTAL },
  { name: 'log', run: (a) => log(a), a: [1e-3, 100], ...TRANSCENDENTAL },
  { name: 'sqrt', run: (a) => sqrt(a), a: [0, 100], ...ULPS },
  { name: 'pow (tensor exponent)', run: (a, b) => pow(a, b), a: [0.1, 4], b: [-3, 3], ...TRANSCENDENTAL },
  { name: 'pow (scalar exponent 1.7)', run: (a) => pow(a, 1.7), a: [0, 4], ...TRANSCENDENTAL },
  { name: 'pow (scalar exponent 3)', run: (a) => a.pow(3), a: [-3, 3], ...TRANSCENDENTAL },
  { name: 'pow (scalar exponent 0.5)', run: (a) => a.pow(0.5), a: [0, 9], ...ULPS },
  { name: 'relu', run: (a) => relu(a), a: [-1, 1], ...EXACT },
  { name: 'maximum', run: (a, b) => maximum(a, b), a: [-1, 1], b: [-1, 1], quantize: true, ...EXACT },
  { name: 'eq', run: (a, b) => eq(a, b), a: [-1, 1], b: [-1, 1], quantize: true, ...EXACT },
  { name: 'gt', run: (a, b) => gt(a, b), a: [-1, 1], b: [-1, 1], quantize: true, ...EXACT },
  { name: 'lt', run: (a, b) => lt(a, b), a: [-1, 1], b: [-1, 1], quantize: true, ...EXACT },
  { name: 'ge', run: (a, b) => ge(a, b), a: [-1, 1], b: [-1, 1], quantize: true, ...EXACT },
  { name: 'where', run: (a, b) => where(gt(a, 0), a, b), a: [-1, 1], b: [-1, 1], ...EXACT },
];

function inputs(c: OpCase, shape: number[], seed: number): [Tensor, Tensor][] {
  const n = shape.reduce((p, d) => p * d, 1);
  const draw = ([lo, hi]: Range, s: number) => {
    const data = uniformData(n, s, lo, hi);
    return c.quantize ? data.map((v) => Math.round(v * 4) / 4) : data;
  };
  return [pairOf(draw(c.a, seed), shape, gpu), pairOf(draw(c.b ?? c.a, seed + 1), shape, gpu)];
}

describe('elementwise ops on webgpu match the cpu reference', () => {
  for (const c of OPS) {
    describe(`${c.name} (rtol ${c.rtol}, atol ${c.atol})`, () => {
      for (const shape of SHAPES) {
        it(`shape [${shape}]`, async () => {
          const [[ac, ag], [bc, bg]] = inputs(c, shape, shape.length * 1000 + shape[0]);
          await expectTensorsClose(c.run(ag, bg), c.run(ac, bc), c.rtol, c.atol);
        });
      }
    });
  }
});

describe('the cpu reference agrees with plain JS arithmetic', () => {
  it('on float32 inputs', async () => {
    const a = Array.from(uniformData(50, 1, -2, 2));
    const b = Array.from(uniformData(50, 2, 0.5, 2));
    const ta = fromArray(a, [50], { device: 'cpu' });
    const tb = fromArray(b, [50], { device: 'cpu' });
    const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));
    expect(await values(add(ta, tb, 2))).toEqual(f32(a.map((x, i) => x + 2 * b[i])));
    expect(await values(div(ta, tb))).toEqual(f32(a.map((x, i) => x / b[i])));
    expect(await values(pow(tb, ta))).toEqual(f32(b.map((x, i) => x ** a[i])));
    expect(await values(relu(ta))).toEqual(a.map((x) => Math.max(x, 0)));
    expect(await values(gt(ta, tb))).toEqual(a.map((x, i) => Number(x > b[i])));
  });
});

describe('scalar operands', () => {
  const cases: [string, (a: Tensor) => Tensor][] = [
    ['a + 2.5', (a) => a.add(2.5)],
    ['a + 2.5 (alpha 2)', (a) => a.add(2.5, 2)],
    ['a - 1', (a) => a.sub(1)],
    ['a * -3', (a) => a.mul(-3)],
    ['a / 4', (a) => a.div(4)],
    ['2 + a', (a) => add(2, a)],
    ['1 - a', (a) => sub(1, a)],
    ['3 * a', (a) => mul(3, a)],
    ['1 / a', (a) => div(1, a)],
    ['2 ** a', (a) => pow(2, a)],
    ['a == 0.25', (a) => a.eq(0.25)],
    ['a > 0', (a) => a.gt(0)],
    ['a < 0.5', (a) => a.lt(0.5)],
    ['a >= 0.25', (a) => ge(a, 0.25)],
    ['where(a > 0, a, -1)', (a) => where(gt(a, 0), a, -1)],
    ['where(a > 0, 1.5, a)', (a) => where(gt(a, 0), 1.5, a)],
    ['where(a > 0, 1.5, -2.5)', (a) => where(gt(a, 0), 1.5, -2.5)],
  ];
  for (const [name, run] of cases) {
    it(`${name} on webgpu matches cpu (rtol 1e-6)`, async () => {
      const data = uniformData(257, 7, -2, 2).map((v) => Math.round(v * 8) / 8 + 0.0625);
      const [c, g] = pairOf(data, [257], gpu);
      await expectTensorsClose(run(g), run(c), 1e-6, 0);
    });
  }

  it('keeps the tensor dtype for integer scalars on int32 and promotes to float32 for fractional ones', () => {
    const t = tensor([1, 2, 3], { device: gpu });
    expect(t.dtype).toBe('int32');
    expect(t.add(2).dtype).toBe('int32');
    expect(t.mul(-3).dtype).toBe('int32');
    expect(t.add(0.5).dtype).toBe('float32');
    expect(t.div(2).dtype).toBe('float32');
    expect(t.gt(1).dtype).toBe('bool');
    expect(where(t.gt(1), 1.5, -2.5).dtype).toBe('float32');
  });
});

describe('int32 arithmetic', () => {
  const cases: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ['add', (a, b) => a.add(b), (x, y) => x + y],
    ['add alpha 3', (a, b) => a.add(b, 3), (x, y) => x + 3 * y],
    ['sub', (a, b) => a.sub(b), (x, y) => x - y],
    ['mul', (a, b) => a.mul(b), (x, y) => x * y],
    ['neg', (a) => a.neg(), (x) => -x],
    ['relu', (a) => a.relu(), (x) => Math.max(x, 0)],
    ['maximum', (a, b) => a.maximum(b), (x, y) => Math.max(x, y)],
    ['add scalar 7', (a) => a.add(7), (x) => x + 7],
    ['mul scalar -2', (a) => a.mul(-2), (x) => x * -2],
    ['gt', (a, b) => a.gt(b), (x, y) => Number(x > y)],
    ['eq', (a, b) => a.eq(b), (x, y) => Number(x === y)],
    ['lt scalar', (a) => a.lt(3), (x) => Number(x < 3)],
    ['where', (a, b) => where(a.gt(0), a, b), (x, y) => (x > 0 ? x : y)],
  ];
  for (const [name, run, reference] of cases) {
    it(`${name} on both devices equals the integer result`, async () => {
      const a = randomInts(257, 11, -20, 20);
      const b = randomInts(257, 12, -20, 20);
      const [ac, ag] = pairOf(a, [257], gpu);
      const [bc, bg] = pairOf(b, [257], gpu);
      const expected = Array.from(a, (x, i) => reference(x, b[i]) | 0);
      const [onCpu, onGpu] = [run(ac, bc), run(ag, bg)];
      expect(onGpu.dtype).toBe(onCpu.dtype);
      expect(['int32', 'bool']).toContain(onCpu.dtype);
      expect(await values(onCpu)).toEqual(expected);
      expect(await values(onGpu)).toEqual(expected);
    });
  }

  it('wraps around on overflow like int32 (Math.imul) on both devices', async () => {
    const a = Int32Array.from([100000, -2147483648, 2147483647, 65537]);
    const b = Int32Array.from([100000, 1, 1, 65537]);
    for (const device of ['cpu', gpu] as const) {
      const ta = fromArray(a, [4], { device });
      const tb = fromArray(b, [4], { device });
      expect(await values(ta.mul(tb))).toEqual(Array.from(a, (x, i) => Math.imul(x, b[i])));
      expect(await values(ta.add(tb))).toEqual(Array.from(a, (x, i) => (x + b[i]) | 0));
    }
  });

  it('divides into float32 and mixes with float32 operands by promotion', async () => {
    const [ic, ig] = pairOf(Int32Array.from([7, -7, 1, 0]), [4], gpu);
    const [fc, fg] = pairOf([2, 2, 3, 1], [4], gpu);
    await expectTensorsClose(ig.div(2), ic.div(2), 1e-6, 0);
    expect(await values(ig.div(2))).toEqual([3.5, -3.5, 0.5, 0]);
    await expectTensorsClose(ig.add(fg), ic.add(fc));
    expect(ig.add(fg).dtype).toBe('float32');
    await expectTensorsClose(ig.sqrt(), ic.sqrt(), 1e-6, 0);
  });
});

describe('bool outputs and inputs', () => {
  it('comparisons return bool tensors of 0/1 that read back as Uint8Array', async () => {
    const [c, g] = pairOf([-1, 0, 2, 0.5], [4], gpu);
    for (const t of [c.gt(0), g.gt(0)]) {
      expect(t.dtype).toBe('bool');
      const data = await t.toArray();
      expect(data).toBeInstanceOf(Uint8Array);
      expect(Array.from(data)).toEqual([0, 0, 1, 1]);
    }
  });

  it('bool tensors serve as conditions and as operands on both devices', async () => {
    for (const device of ['cpu', gpu] as const) {
      const mask = tensor([true, false, true], { device });
      expect(mask.dtype).toBe('bool');
      const x = tensor([1.5, 2.5, 3.5], { device });
      expect(await values(where(mask, x, 0))).toEqual([1.5, 0, 3.5]);
      expect(await values(mask.eq(tensor([true, true, false], { device })))).toEqual([1, 0, 0]);
      expect(await values(x.mul(mask))).toEqual([1.5, 0, 3.5]);
      expect(await values(mask.to('float32'))).toEqual([1, 0, 1]);
    }
  });
});

describe('NaN and infinity', () => {
  it('maximum and relu propagate NaN on both devices, as in PyTorch', async () => {
    for (const device of ['cpu', gpu] as const) {
      const a = fromArray([NaN, 1, NaN, -1, -Infinity], [5], { device });
      const b = fromArray([1, NaN, NaN, -2, 3], [5], { device });
      const max = await values(maximum(a, b));
      expect(max.map(Number.isNaN), `maximum on ${device}`).toEqual([true, true, true, false, false]);
      expect(max.slice(3)).toEqual([-1, 3]);
      const r = await values(relu(a));
      expect(r.map(Number.isNaN), `relu on ${device}`).toEqual([true, false, true, false, false]);
      expect(r[1]).toBe(1);
    }
  });

  it('pow follows PyTorch at 0, at negative bases and for fractional exponents of negative bases', async () => {
    const base = [0, 0, 0, -2, -2, -2, -8, 2];
    const exponent = [-1, 0, 2, 3, 2, -1, 1 / 3, -2];
    const expected = [Infinity, 1, 0, -8, 4, -0.5, NaN, 0.25];
    for (const device of ['cpu', gpu] as const) {
      const out = await values(pow(fromArray(base, [8], { device }), fromArray(exponent, [8], { device })));
      expectClose(out, expected, 1e-6, 0);
    }
  });

  it('negative bases with integer exponents match the cpu on many values (rtol 1e-5)', async () => {
    const base = uniformData(784, 3, -3, 3);
    const exponent = randomInts(784, 4, -4, 5);
    const [bc, bg] = pairOf(base, [784], gpu);
    const [ec, eg] = pairOf(Float32Array.from(exponent), [784], gpu);
    await expectTensorsClose(pow(bg, eg), pow(bc, ec), 1e-5, 1e-6);
    for (const k of [-3, -2, 2, 3, 4]) await expectTensorsClose(pow(bg, k), pow(bc, k), 1e-5, 1e-6);
  });

  it('log, sqrt and div give PyTorch values outside their domain on both devices', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([-1, 0, 4], [3], { device });
      expect(await values(log(x))).toEqual([NaN, -Infinity, Math.log(4)].map((v) => Math.fround(v)));
      expect((await values(sqrt(x))).map(Number.isNaN)).toEqual([true, false, false]);
      expect(await values(div(fromArray([1, -1, 0], [3], { device }), 0))).toEqual([Infinity, -Infinity, NaN]);
    }
  });
});

describe('broadcasting', () => {
  const cases: [number[], number[]][] = [
    [[3, 1], [1, 4]],
    [[5], [2, 5]],
    [[2, 5], [5]],
    [[], [4, 3]],
    [[4, 3], []],
    [[], []],
    [[2, 1, 3], [4, 1]],
    [[7, 1, 33], [1, 5, 1]],
    [[0, 3], [1, 3]],
  ];
  for (const [sa, sb] of cases) {
    it(`[${sa}] + [${sb}], [${sa}] * [${sb}] and where on webgpu match cpu`, async () => {
      const n = (s: number[]) => s.reduce((p, d) => p * d, 1);
      const [ac, ag] = pairOf(uniformData(n(sa), 1, -1, 1), sa, gpu);
      const [bc, bg] = pairOf(uniformData(n(sb), 2, -1, 1), sb, gpu);
      const sum = add(ag, bg);
      expect(sum.shape).toEqual(add(ac, bc).shape);
      await expectTensorsClose(sum, add(ac, bc), 0, 0);
      await expectTensorsClose(mul(ag, bg), mul(ac, bc), 0, 0);
      await expectTensorsClose(where(gt(ag, 0), ag, bg), where(gt(ac, 0), ac, bc), 0, 0);
    });
  }

  it('computes [3,1] + [1,4] as an outer sum', async () => {
    const a = tensor([[1], [2], [3]], { device: gpu });
    const b = tensor([[10, 20, 30, 40]], { device: gpu });
    expect(await add(a, b).tolist()).toEqual([
      [11, 21, 31, 41],
      [12, 22, 32, 42],
      [13, 23, 33, 43],
    ]);
  });

  it('reads strided views as inputs: transposed, narrowed (with an offset), expanded and permuted', async () => {
    const [xc, xg] = pairOf(uniformData(7 * 33, 5, -1, 1), [7, 33], gpu);
    const [yc, yg] = pairOf(uniformData(33 * 7, 6, -1, 1), [33, 7], gpu);
    const [zc, zg] = pairOf(uniformData(2 * 3 * 5, 7, -1, 1), [2, 3, 5], gpu);
    const views: [string, (x: Tensor, y: Tensor, z: Tensor) => Tensor][] = [
      ['x.t() + y', (x, y) => x.t().add(y)],
      ['x.t() * y.narrow(1, 2, 1)', (x, y) => x.t().mul(y.narrow(1, 2, 1))],
      ['x.narrow(0, 3, 4) - x.narrow(0, 1, 4)', (x) => x.narrow(0, 3, 4).sub(x.narrow(0, 1, 4))],
      ['x.narrow(1, 5, 20).exp()', (x) => x.narrow(1, 5, 20).exp()],
      ['expand([4, 7, 33]) + x', (x) => x.narrow(0, 2, 1).expand([4, 7, 33]).add(x)],
      ['z.permute(2, 0, 1).relu()', (_x, _y, z) => z.permute(2, 0, 1).relu()],
      ['z.transpose(0, 2) - z.permute(2, 1, 0)', (_x, _y, z) => z.transpose(0, 2).sub(z.permute(2, 1, 0).neg())],
    ];
    for (const [name, run] of views) {
      const g = run(xg, yg, zg);
      const c = run(xc, yc, zc);
      expect(g.isContiguous(), name).toBe(true);
      await expectTensorsClose(g, c, 1e-6, 0);
    }
  });

  it('raises PyTorch’s error for shapes that do not broadcast, before dispatching anything', () => {
    const a = tensor([[1, 2, 3]], { device: gpu });
    const b = tensor([1, 2], { device: gpu });
    const before = gpu.gpu.dispatchCount;
    expect(() => add(a, b)).toThrow('The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1');
    expect(gpu.gpu.dispatchCount).toBe(before);
  });
});

describe('in-place ops and copies', () => {
  it('add_ and mul_ update a tensor on webgpu as on cpu, with alpha, scalars and broadcasting', async () => {
    const [ac, ag] = pairOf(uniformData(7 * 33, 1, -1, 1), [7, 33], gpu);
    const [bc, bg] = pairOf(uniformData(33, 2, -1, 1), [33], gpu);
    for (const [a, b] of [
      [ac, bc],
      [ag, bg],
    ]) {
      const same = add_(a, b, 0.5);
      expect(same).toBe(a);
      mul_(a, 3);
      add_(a, 1);
      mul_(a, b);
    }
    await expectTensorsClose(ag, ac, 1e-6, 1e-7);
  });

  it('add_ and mul_ on a narrow() view change only the view’s elements', async () => {
    const [ac, ag] = pairOf(uniformData(5 * 4, 3, -1, 1), [5, 4], gpu);
    const [bc, bg] = pairOf(uniformData(2 * 2, 4, -1, 1), [2, 2], gpu);
    const before = await values(ac);
    for (const [a, b] of [
      [ac, bc],
      [ag, bg],
    ]) {
      const v = a.narrow(0, 2, 2).narrow(1, 1, 2);
      add_(v, b, 2);
      mul_(v, -1);
    }
    await expectTensorsClose(ag, ac, 1e-6, 0);
    const b = await values(bc);
    const expected = before.map((v, i) => {
      const [r, c] = [Math.floor(i / 4), i % 4];
      const inView = r >= 2 && r < 4 && c >= 1 && c < 3;
      return inView ? -(v + 2 * b[(r - 2) * 2 + (c - 1)]) : v;
    });
    expectClose(await values(ac), expected, 1e-6, 1e-7);
  });

  it('add_ of a tensor to itself or to an overlapping view of its own storage', async () => {
    const data = uniformData(8, 5, -1, 1);
    const [ac, ag] = pairOf(data, [8], gpu);
    for (const a of [ac, ag]) {
      add_(a, a);
      add_(a.narrow(0, 0, 4), a.narrow(0, 4, 4));
    }
    await expectTensorsClose(ag, ac, 0, 0);
    const doubled = Array.from(data, (v) => 2 * v);
    expect(await values(ac)).toEqual(
      Array.from(Float32Array.from(doubled.map((v, i) => (i < 4 ? v + doubled[i + 4] : v)))),
    );
  });

  it('add_ keeps the destination dtype and rejects a result that does not fit its shape', () => {
    const a = tensor([1, 2, 3], { device: gpu });
    expect(add_(a, 2).dtype).toBe('int32');
    expect(() => add_(a, tensor([[1, 2, 3], [4, 5, 6]], { device: gpu }))).toThrow(
      "output with shape [3] doesn't match the broadcast shape [2, 3]",
    );
  });

  it('copyInto writes a broadcast source into a strided view, converting dtype', async () => {
    for (const device of ['cpu', gpu] as const) {
      const dst = fromArray(new Int32Array(12), [3, 4], { device });
      copyInto(dst.t().narrow(0, 1, 2), fromArray([2.7, -2.7, 9.5], [1, 3], { device }));
      // Columns 1 and 2 of dst each receive the source row, truncated toward zero.
      expect(await dst.tolist()).toEqual([
        [0, 2, 2, 0],
        [0, -2, -2, 0],
        [0, 9, 9, 0],
      ]);
    }
  });

  it('copyInto between contiguous tensors of one shape and dtype is a buffer copy, at any offset', async () => {
    const sources = [fromArray([1.5, -2, 3.25], [3], { device: gpu }), tensor([7, -8, 9], { device: gpu }), gt(tensor([1, 0, 2], { device: gpu }), 0)];
    for (const src of sources) {
      const dst = fromArray([0, 0, 0, 0, 0, 0], [6], { device: gpu, dtype: src.dtype });
      const dispatches = gpu.gpu.dispatchCount;
      copyInto(dst.narrow(0, 2, 3), src);
      expect(gpu.gpu.dispatchCount).toBe(dispatches);
      const zero = src.dtype === 'bool' ? false : 0;
      expect(await dst.tolist()).toEqual([zero, zero, ...((await src.tolist()) as unknown[]), zero]);
    }
  });

  it('copyInto between overlapping views of one storage copies the source as it was', async () => {
    for (const device of ['cpu', gpu] as const) {
      const t = fromArray([0, 1, 2, 3, 4, 5], [6], { device });
      copyInto(t.narrow(0, 1, 4), t.narrow(0, 0, 4));
      expect(await values(t)).toEqual([0, 0, 1, 2, 3, 5]);
    }
  });
});

describe('large tensors', () => {
  it('covers more elements than one grid dimension of 65,535 workgroups holds', async () => {
    const n = 65535 * 256 + 257;
    const data = Float32Array.from({ length: n }, (_, i) => i % 1024);
    const out = await fromArray(data, [n], { device: gpu }).add(1).toArray();
    let wrong = 0;
    for (let i = 0; i < n; i++) if (out[i] !== data[i] + 1) wrong++;
    expect(wrong).toBe(0);
  });
});

describe('empty and 0-d tensors', () => {
  it('ops on tensors with no elements give empty results of the broadcast shape', async () => {
    for (const device of ['cpu', gpu] as const) {
      const a = fromArray([], [0, 3], { device });
      const b = fromArray([1, 2, 3], [3], { device });
      const out = a.add(b).exp().gt(0);
      expect(out.shape).toEqual([0, 3]);
      expect((await out.toArray()).length).toBe(0);
    }
  });

  it('0-d tensors combine into 0-d results and read back with item()', async () => {
    for (const device of ['cpu', gpu] as const) {
      const a = tensor(1.5, { device });
      const b = tensor(-4, { device });
      const out = a.mul(b).add(0.25);
      expect(out.shape).toEqual([]);
      expect(await out.item()).toBe(-5.75);
    }
  });
});
