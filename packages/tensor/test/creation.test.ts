import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mini from '@mini/tensor';
import {
  arange,
  defaultGenerator,
  fill_,
  fromArray,
  full,
  Generator,
  manualSeed,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  zeros,
  zerosLike,
  type Device,
} from '@mini/tensor';
import { expectClose, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

describe('tensor() and fromArray()', () => {
  it('infers float32, int32 and bool like torch.tensor (JS integers count as integers)', async () => {
    const cases: [Parameters<typeof tensor>[0], string, number[]][] = [
      [[1.5, 2], 'float32', [2]],
      [[[1, 2, 3], [4, 5, 6]], 'int32', [2, 3]],
      [[true, false], 'bool', [2]],
      [3, 'int32', []],
      [0.25, 'float32', []],
      [[], 'float32', [0]],
      [[[], []], 'float32', [2, 0]],
      [[2 ** 31, 1], 'float32', [2]],
    ];
    for (const device of ['cpu', gpu] as const) {
      for (const [data, dtype, shape] of cases) {
        const t = tensor(data, { device });
        expect([t.dtype, t.shape, t.device.type], JSON.stringify(data)).toEqual([dtype, shape, device === 'cpu' ? 'cpu' : 'webgpu']);
        expect(await t.tolist()).toEqual(data);
      }
    }
  });

  it('honours an explicit dtype, truncating toward zero for integers', async () => {
    for (const device of ['cpu', gpu] as const) {
      expect(await values(tensor([1.7, -1.7, 3], { dtype: 'int32', device }))).toEqual([1, -1, 3]);
      expect(await values(tensor([1, 2], { dtype: 'float32', device }))).toEqual([1, 2]);
      expect(await values(tensor([0, 2, 0], { dtype: 'bool', device }))).toEqual([0, 1, 0]);
      expect(await values(tensor([0, 200, 255], { dtype: 'uint8', device }))).toEqual([0, 200, 255]);
    }
  });

  it("raises PyTorch's errors for ragged data, values an integer dtype cannot hold and negative sizes", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('expected sequence of length 2 at dim 1 (got 1)');
    expect(() => tensor([300], { dtype: 'uint8' })).toThrow('value cannot be converted to type uint8 without overflow');
    expect(() => tensor([2 ** 31], { dtype: 'int32' })).toThrow('value cannot be converted to type int32 without overflow');
    expect(() => zeros([-1])).toThrow('Trying to create tensor with negative dimension -1: [-1]');
    expect(() => fromArray([1, 2, 3], [2, 2])).toThrow('fromArray: shape [2, 2] needs 4 elements, found 3');
  });

  it('fromArray infers the dtype of a typed array and copies it', async () => {
    const source = Int32Array.from([5, 6, 7]);
    for (const device of ['cpu', gpu] as const) {
      const t = fromArray(source, [3], { device });
      source[0] = 99;
      expect(t.dtype).toBe('int32');
      expect(await values(t)).toEqual([5, 6, 7]);
      source[0] = 5;
      expect(fromArray(new Uint8Array(2), [2], { device }).dtype).toBe('uint8');
      expect(fromArray(new Float32Array(2), [1, 2], { device }).dtype).toBe('float32');
    }
    expect(fromArray(new Float64Array(2), [2], { device: 'cpu' }).dtype).toBe('float64');
  });

  it('creations land on the default device, webgpu after init()', () => {
    for (const t of [tensor([1]), fromArray([1], [1]), zeros([1]), arange(2), rand([1]), randperm(2)]) expect(t.device).toBe(gpu);
  });

  it('requiresGrad marks a float leaf and is refused for integer tensors', () => {
    const t = tensor([1.5], { requiresGrad: true, device: gpu });
    expect(t.requiresGrad).toBe(true);
    expect(t.isLeaf).toBe(true);
    expect(() => tensor([1], { requiresGrad: true })).toThrow('only Tensors of floating point dtype can require gradients (found int32)');
  });
});

describe('zeros, ones, full, arange', () => {
  it('fill every dtype on both devices', async () => {
    for (const device of ['cpu', gpu] as const) {
      expect(await values(zeros([2, 3], { device }))).toEqual([0, 0, 0, 0, 0, 0]);
      expect(await values(ones([257], { device }))).toEqual(new Array(257).fill(1));
      expect(await values(full([3], 2.7, { dtype: 'int32', device }))).toEqual([2, 2, 2]);
      expect(await values(full([3], -1.25, { device }))).toEqual([-1.25, -1.25, -1.25]);
      expect(await values(full([2], 5, { dtype: 'bool', device }))).toEqual([1, 1]);
      expect(await values(full([5], 7, { dtype: 'uint8', device }))).toEqual([7, 7, 7, 7, 7]);
      expect(await values(zeros([3], { dtype: 'uint8', device }))).toEqual([0, 0, 0]);
      const z = zeros([0, 4], { device });
      expect([z.shape, (await z.toArray()).length]).toEqual([[0, 4], 0]);
      const like = onesLike(tensor([[1, 2]], { device }));
      expect([like.dtype, like.shape, await values(like)]).toEqual(['int32', [1, 2], [1, 1]]);
      expect(zerosLike(like, { dtype: 'float32' }).dtype).toBe('float32');
    }
  });

  it('full and zeros overwrite reused GPU memory (the pool hands out used buffers)', async () => {
    for (let i = 0; i < 3; i++) {
      const junk = fromArray(new Float32Array(64).fill(123), [64], { device: gpu });
      await junk.toArray();
      junk.dispose();
      expect(await values(zeros([64], { device: gpu }))).toEqual(new Array(64).fill(0));
    }
  });

  it('fill_ writes a contiguous view in place', async () => {
    for (const device of ['cpu', gpu] as const) {
      const t = zeros([3, 4], { device });
      fill_(t.narrow(0, 1, 1), 9);
      expect(await values(t)).toEqual([0, 0, 0, 0, 9, 9, 9, 9, 0, 0, 0, 0]);
      expect(() => fill_(t.t(), 1)).toThrow('fill_: expected a contiguous tensor');
    }
  });

  it('arange counts like torch.arange (int32 for integers, float32 otherwise)', async () => {
    const expectations: [number[], string, number[]][] = [
      [[5], 'int32', [0, 1, 2, 3, 4]],
      [[1, 4], 'int32', [1, 2, 3]],
      [[5, 0, -2], 'int32', [5, 3, 1]],
      [[0, 1, 0.25], 'float32', [0, 0.25, 0.5, 0.75]],
      [[3, 3], 'int32', []],
    ];
    for (const device of ['cpu', gpu] as const) {
      for (const [[start, end, step], dtype, expected] of expectations) {
        const t = arange(start, end, step, { device });
        expect([t.dtype, await values(t)]).toEqual([dtype, expected]);
      }
    }
    expect(arange(3, undefined, 1, { dtype: 'float32' }).dtype).toBe('float32');
    expect(() => arange(0, 5, 0)).toThrow('step must be nonzero');
  });
});

describe('random creation', () => {
  it('manualSeed(n) makes rand, randn, randint and randperm reproducible, on both devices', async () => {
    const draw = async (device: Device | 'cpu') => [
      await values(rand([33], { device })),
      await values(randn([7, 3], { device })),
      await values(randint(-5, 5, [257], { device })),
      await values(randperm(20, { device })),
    ];
    manualSeed(42);
    const first = await draw('cpu');
    manualSeed(42);
    expect(await draw(gpu)).toEqual(first);
    manualSeed(43);
    const other = await draw('cpu');
    for (let i = 0; i < first.length; i++) expect(other[i]).not.toEqual(first[i]);
  });

  it('a Generator draws its own stream, independent of the default one', async () => {
    manualSeed(7);
    const fromDefault = await values(rand([10]));
    const g = new Generator(7);
    manualSeed(1000);
    const fromGenerator = await values(rand([10], { generator: g }));
    expect(fromGenerator).toEqual(fromDefault);
    const before = defaultGenerator.getState();
    randn([5], { generator: g });
    expect(defaultGenerator.getState()).toEqual(before);
  });

  it('getState / setState round-trips a generator exactly', async () => {
    const g = new Generator(123);
    rand([3], { generator: g });
    const state = g.getState();
    expect(state).toHaveLength(4);
    const a = await values(randn([50], { generator: g }));
    g.setState(state);
    expect(await values(randn([50], { generator: g }))).toEqual(a);
    const copy = new Generator().setState(state);
    expect(await values(randn([50], { generator: copy }))).toEqual(a);
    expect(() => g.setState([1, 2, 3])).toThrow('generator state must be four 32-bit unsigned integers');
  });

  it('draws from the right ranges and distributions', async () => {
    const g = new Generator(5);
    const u = await values(rand([10000], { generator: g, device: gpu }));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((a, b) => a + b, 0) / u.length - 0.5)).toBeLessThan(0.02);
    const z = await values(randn([10000], { generator: g }));
    const m = z.reduce((a, b) => a + b, 0) / z.length;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - m) ** 2, 0) / z.length);
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    const k = await values(randint(3, 7, [2000], { generator: g }));
    expect(new Set(k)).toEqual(new Set([3, 4, 5, 6]));
    expect(() => randint(3, 3, [2])).toThrow("random_ expects 'from' to be less than 'to', but got from=3 >= to=3");
    expect(randn([2], { dtype: 'float64', device: 'cpu' }).dtype).toBe('float64');
    expect(() => rand([2], { dtype: 'int32' })).toThrow('rand: expected a floating point dtype, found int32');
  });

  it('randperm(n) is a permutation of 0..n-1', async () => {
    for (const n of [0, 1, 7, 257, 784]) {
      const p = randperm(n, { generator: new Generator(n), device: gpu });
      expect(p.dtype).toBe('int32');
      const sorted = (await values(p)).sort((a, b) => a - b);
      expect(sorted).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const p = await values(randperm(50, { generator: new Generator(1) }));
    expect(p).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('creation as in PyTorch: sizes as arguments, linspace, eye, the …Like functions, empty', () => {
  it('takes sizes as separate arguments or as one array, options last', async () => {
    for (const device of ['cpu', gpu] as const) {
      expect(mini.zeros(2, 3, { device }).shape).toEqual([2, 3]);
      const o = mini.ones(2, 3, { dtype: 'int32', device });
      expect([o.shape, o.dtype]).toEqual([[2, 3], 'int32']);
      expect(await values(o)).toEqual([1, 1, 1, 1, 1, 1]);
      expect(mini.zeros([4], { device }).shape).toEqual([4]);
      expect(mini.rand(3, 1, { device }).shape).toEqual([3, 1]);
      expect(mini.randn(5, { device, generator: new Generator(1) }).shape).toEqual([5]);
      const e = mini.empty(2, 7, { dtype: 'int32', device });
      expect([e.shape, e.dtype, e.device]).toEqual([[2, 7], 'int32', device === 'cpu' ? mini.device('cpu') : gpu]);
      expect(mini.empty([3], { device, requiresGrad: true }).requiresGrad).toBe(true);
    }
    expect(mini.zeros(2, 3).shape).toEqual([2, 3]);
  });

  it('seeds sizes-as-arguments draws like the array form', async () => {
    expect(await values(mini.rand(2, 3, { generator: new Generator(5) }))).toEqual(await values(mini.rand([2, 3], { generator: new Generator(5) })));
  });

  it('rejects unknown options and malformed sizes, naming them', () => {
    expect(() => mini.zeros(2, { dtyp: 'int32' } as never)).toThrow("zeros() got an unexpected keyword argument 'dtyp'");
    expect(() => mini.rand([2], { seed: 3 } as never)).toThrow("rand() got an unexpected keyword argument 'seed'");
    expect(() => mini.empty([2], { dtype: 'float64', device: gpu })).toThrow('float64 is not supported on webgpu');
    expect(() => mini.ones(2, [3] as never)).toThrow('ones(): expected a size as one array of numbers or as numbers');
    expect(() => mini.linspace(0, 1, 5, { dtpe: 'float32' } as never)).toThrow("linspace() got an unexpected keyword argument 'dtpe'");
  });

  it('linspace and eye give PyTorch’s values (scripts/fixtures/creation_fixtures.py)', async () => {
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/creation_torch.json', import.meta.url), 'utf8')) as {
      linspace: { args: [number, number, number]; values: number[] }[];
      eye: { args: number[]; values: number[][] }[];
    };
    for (const device of ['cpu', gpu] as const) {
      for (const { args, values: expected } of fixture.linspace) {
        const t = mini.linspace(...args, { device });
        expect(t.dtype).toBe('float32');
        expect(await values(t), `linspace(${args})`).toEqual(Array.from(Float32Array.from(expected)));
        // In float64 PyTorch's vectorized loop may differ from the formula in the last bit.
        expectClose(await values(mini.linspace(...args, { dtype: 'float64', device: 'cpu' })), expected, 1e-15, 1e-15);
      }
      for (const { args, values: expected } of fixture.eye) {
        const t = args.length === 1 ? mini.eye(args[0], { device }) : mini.eye(args[0], args[1], { device });
        expect(await t.tolist(), `eye(${args})`).toEqual(expected);
      }
    }
  });

  it('fullLike, randLike and randnLike take the shape, dtype and device of their tensor unless told otherwise', async () => {
    for (const device of ['cpu', gpu] as const) {
      const t = mini.zeros(3, 2, { device });
      const f = mini.fullLike(t, 7);
      expect([f.shape, f.dtype, f.device]).toEqual([[3, 2], 'float32', t.device]);
      expect(await values(f)).toEqual([7, 7, 7, 7, 7, 7]);
      expect(mini.fullLike(t, 2, { dtype: 'int32' }).dtype).toBe('int32');
      const r = mini.randLike(t, { generator: new Generator(2) });
      expect([r.shape, r.device]).toEqual([[3, 2], t.device]);
      expect(await values(r)).toEqual(await values(mini.rand(3, 2, { generator: new Generator(2) })));
      expect(await values(mini.randnLike(t, { generator: new Generator(3) }))).toEqual(await values(mini.randn(3, 2, { generator: new Generator(3) })));
    }
    expect(() => mini.randLike(mini.zeros(2, { dtype: 'int32' }))).toThrow('rand: expected a floating point dtype, found int32');
  });
});

describe('dtype conversions', () => {
  it('long() gives int32 (WebGPU has no 64-bit integers), bool() and to("bool") mark nonzero elements', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([-2.7, 0, 0.5, 3.2], [4], { device });
      const l = x.long();
      expect(l.dtype).toBe('int32');
      expect(await values(l)).toEqual([-2, 0, 0, 3]);
      for (const b of [x.bool(), x.to('bool')]) {
        expect(b.dtype).toBe('bool');
        expect(await b.tolist()).toEqual([true, false, true, true]);
      }
    }
  });
});

describe('options of the other creation functions', () => {
  it('an unknown option is an error naming it', () => {
    expect(() => mini.tensor([1], { dtpe: 'int32' } as never)).toThrow("tensor() got an unexpected keyword argument 'dtpe'");
    expect(() => fromArray([1], [1], { requires_grad: true } as never)).toThrow("fromArray() got an unexpected keyword argument 'requires_grad'");
    expect(() => arange(3, undefined, 1, { dvice: 'cpu' } as never)).toThrow("arange() got an unexpected keyword argument 'dvice'");
    expect(() => randint(0, 3, [2], { seed: 1 } as never)).toThrow("randint() got an unexpected keyword argument 'seed'");
    expect(() => randperm(3, { seed: 1 } as never)).toThrow("randperm() got an unexpected keyword argument 'seed'");
    expect(() => full([2], 1, { fill: 2 } as never)).toThrow("full() got an unexpected keyword argument 'fill'");
  });
});
