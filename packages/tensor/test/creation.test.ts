import { beforeAll, describe, expect, it } from 'vitest';
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
import { values, webgpu } from './helpers.ts';

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
