import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, gatherBatch, indexSelect, normalizeBytes, tensor, type Device, type Tensor } from '@mini/tensor';
import { expectClose, expectTensorsClose, pairOf, randomInts, uniformData, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

const numel = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** Bytes 0..255 from a seeded generator. */
function randomBytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from(randomInts(n, seed, 0, 256));
}

describe('indexSelect on webgpu matches the cpu reference (exact)', () => {
  const cases: [number[], number, number][] = [
    [[257, 7], 0, 33],
    [[7, 257], 1, 100],
    [[1, 1], 0, 1],
    [[784], 0, 257],
    [[3, 33, 5], 1, 7],
    [[3, 33, 5], -1, 9],
  ];
  for (const [shape, dim, count] of cases) {
    it(`x [${shape}], dim ${dim}, ${count} indices with repeats`, async () => {
      const [xc, xg] = pairOf(uniformData(numel(shape), count, -1, 1), shape, gpu);
      const size = shape.at(dim)!;
      const [ic, ig] = pairOf(randomInts(count, size, 0, size), [count], gpu);
      const out = indexSelect(xg, dim, ig);
      await expectTensorsClose(out, indexSelect(xc, dim, ic), 0, 0);
      expect(out.shape).toEqual(shape.map((s, d) => (d === (dim + shape.length) % shape.length ? count : s)));
    });
  }

  it('picks rows and columns worked out by hand, on int32 and bool sources too', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], { device });
      const index = tensor([2, 0, 2], { device });
      expect(await indexSelect(x, 0, index).tolist()).toEqual([[7, 8, 9], [1, 2, 3], [7, 8, 9]]);
      expect(await x.indexSelect(1, index).tolist()).toEqual([[3, 1, 3], [6, 4, 6], [9, 7, 9]]);
      expect(indexSelect(x, 0, index).dtype).toBe('int32');
      const mask = x.gt(4);
      expect(await indexSelect(mask, 0, tensor([1], { device })).tolist()).toEqual([[false, true, true]]);
      expect(indexSelect(mask, 0, tensor([1], { device })).dtype).toBe('bool');
    }
  });

  it('selects from a 0-d tensor as from one element, as PyTorch does', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([5], [], { device });
      const out = indexSelect(x, 0, tensor([0], { device }));
      expect([out.shape, await out.item()]).toEqual([[], 5]);
      expect(() => indexSelect(x, 0, tensor([0, 0], { device }))).toThrow('index_select(): Index to scalar can have only 1 value, got 2 value(s)');
    }
  });

  it('reads strided sources and strided indices, and selects nothing for an empty index', async () => {
    const [xc, xg] = pairOf(uniformData(12 * 9, 2, -1, 1), [12, 9], gpu);
    const [ic, ig] = pairOf(Int32Array.from([8, 0, 3, 3, 5, 1]), [3, 2], gpu);
    const f = (x: Tensor, i: Tensor) => indexSelect(x.t().narrow(1, 2, 10), 0, i.t().narrow(0, 0, 1).reshape(3));
    await expectTensorsClose(f(xg, ig), f(xc, ic), 0, 0);
    const empty = indexSelect(xg, 0, fromArray(new Int32Array(0), [0], { device: gpu }));
    expect(empty.shape).toEqual([0, 9]);
    expect((await empty.toArray()).length).toBe(0);
  });

  it('raises for an index out of range: at once on cpu, at the next readback on webgpu', async () => {
    const x = uniformData(4 * 3, 1, -1, 1);
    const [xc, xg] = pairOf(x, [4, 3], gpu);
    const bad = Int32Array.from([1, 4, 0]);
    expect(() => indexSelect(xc, 0, fromArray(bad, [3], { device: 'cpu' }))).toThrow('index 4 is out of range for dimension of size 4');
    expect(() => indexSelect(xc, 1, fromArray(Int32Array.from([-1]), [1], { device: 'cpu' }))).toThrow(
      'index -1 is out of range for dimension of size 3',
    );
    const out = indexSelect(xg, 0, fromArray(bad, [3], { device: gpu }));
    await expect(out.toArray()).rejects.toThrow('index 4 is out of range for dimension of size 4');
    const good = indexSelect(xg, 0, fromArray(Int32Array.from([3]), [1], { device: gpu }));
    expect(await values(good)).toEqual(Array.from(x.slice(9, 12)));
  });

  it('raises before dispatch for a float index, a 2-D index, a bad dim and mixed devices', () => {
    const x = fromArray(uniformData(6, 1, -1, 1), [2, 3], { device: gpu });
    const before = gpu.gpu.dispatchCount;
    expect(() => indexSelect(x, 0, fromArray([0, 1], [2], { device: gpu }))).toThrow('indexSelect: expected index of dtype int32, found float32');
    expect(() => indexSelect(x, 0, fromArray(Int32Array.from([0, 1]), [1, 2], { device: gpu }))).toThrow(
      'index_select(): Index is supposed to be a vector',
    );
    expect(() => indexSelect(x, 2, fromArray(Int32Array.from([0]), [1], { device: gpu }))).toThrow(
      'Dimension out of range (expected to be in range of [-2, 1], but got 2)',
    );
    expect(() => indexSelect(x, 0, fromArray(Int32Array.from([0]), [1], { device: 'cpu' }))).toThrow(
      'Expected all tensors to be on the same device, but found at least two devices, webgpu and cpu!',
    );
    expect(gpu.gpu.dispatchCount).toBe(before);
  });
});

describe('normalizeBytes: uint8 to float32 with mean and std', () => {
  const reference = (bytes: Uint8Array, row: number, rows: ArrayLike<number>, mean: number, std: number) =>
    Array.from(rows).flatMap((r) => Array.from(bytes.subarray(r * row, (r + 1) * row), (b) => (b / 255 - mean) / std));

  // Rows of bytes, of whole words, and of whole 16-byte groups (the kernel's three paths).
  for (const [count, row] of [
    [1, 1],
    [7, 33],
    [5, 20],
    [33, 784],
    [257, 7],
  ]) {
    it(`${count} rows of ${row} bytes, in order and gathered by a row index (rtol 1e-6)`, async () => {
      const bytes = randomBytes(count * row, count);
      const [bc, bg] = pairOf(bytes, [count, row], gpu);
      expect(bg.dtype).toBe('uint8');
      const plain = { mean: 0.5, std: 0.5 };
      const expected = reference(bytes, row, Array.from({ length: count }, (_, i) => i), 0.5, 0.5);
      expectClose(await values(normalizeBytes(bg, plain)), expected, 1e-6, 1e-6);
      expectClose(await values(normalizeBytes(bc, plain)), expected, 1e-6, 1e-6);
      const index = randomInts(2 * count + 1, row, 0, count);
      const gathered = reference(bytes, row, index, 0.1307, 0.3081);
      const opts = (device: Device | 'cpu') => ({ mean: 0.1307, std: 0.3081, index: fromArray(index, [index.length], { device }) });
      const out = normalizeBytes(bg, opts(gpu));
      expect(out.shape).toEqual([index.length, row]);
      expect(out.dtype).toBe('float32');
      expectClose(await values(out), gathered, 1e-6, 1e-6);
      expectClose(await values(normalizeBytes(bc, opts('cpu'))), gathered, 1e-6, 1e-6);
    });
  }

  it('reads rows at byte offsets that are not multiples of four, and strided indices', async () => {
    const bytes = randomBytes(9 * 5, 3);
    const [bc, bg] = pairOf(bytes, [9, 5], gpu);
    const [ic, ig] = pairOf(Int32Array.from([3, 9, 0, 9, 1, 9]), [6], gpu);
    const f = (b: Tensor, i: Tensor) => normalizeBytes(b.narrow(0, 3, 5), { scale: 1, mean: 1, std: 2, index: i.reshape(3, 2).t().narrow(0, 0, 1).reshape(3) });
    await expectTensorsClose(f(bg, ig), f(bc, ic), 0, 0);
    expect(await values(f(bg, ig))).toEqual([3, 0, 1].map((r) => Array.from(bytes.subarray((r + 3) * 5, (r + 4) * 5), (b) => (b - 1) / 2)).flat());
    // Rows of whole 16-byte groups at a word offset.
    const [wc, wg] = pairOf(randomBytes(9 * 32, 5), [9, 32], gpu);
    const [jc, jg] = pairOf(Int32Array.from([7, 0, 5]), [3], gpu);
    const g = (b: Tensor, i: Tensor) => normalizeBytes(b.narrow(0, 1, 8), { index: i });
    await expectTensorsClose(g(wg, jg), g(wc, jc), 1e-6, 1e-6);
  });

  it('raises for a row index out of range on both devices and for non-uint8 input', async () => {
    const bytes = randomBytes(4 * 3, 4);
    const [bc, bg] = pairOf(bytes, [4, 3], gpu);
    const bad = Int32Array.from([0, 4]);
    expect(() => normalizeBytes(bc, { index: fromArray(bad, [2], { device: 'cpu' }) })).toThrow('index 4 is out of range for dimension of size 4');
    await expect(normalizeBytes(bg, { index: fromArray(bad, [2], { device: gpu }) }).toArray()).rejects.toThrow(
      'index 4 is out of range for dimension of size 4',
    );
    expect(() => normalizeBytes(bg.float())).toThrow('normalizeBytes: expected input of dtype uint8, found float32');
  });
});

describe('gatherBatch: a batch of images and its labels in one kernel', () => {
  for (const [count, row] of [
    [1, 1],
    [7, 33],
    [33, 784],
    [257, 7],
  ]) {
    it(`${count} rows of ${row} bytes with int32 labels, by a strided row index, on both devices: normalizeBytes and indexSelect's values`, async () => {
      const bytes = randomBytes(count * row, count + 1);
      const labels = randomInts(count, row + 1, -5, 1000);
      const index = randomInts(2 * (2 * count + 1), row, 0, count);
      for (const device of [gpu, 'cpu'] as const) {
        const images = fromArray(bytes, [count, row], { device });
        const y = fromArray(labels, [count], { device });
        const ix = fromArray(index, [2 * count + 1, 2], { device }).select(1, 1);
        const options = { mean: 0.1307, std: 0.3081, index: ix };
        const [x, picked] = gatherBatch(images, y, options);
        expect(picked.dtype).toBe('int32');
        await expectTensorsClose(x, normalizeBytes(images, options), 0, 0);
        await expectTensorsClose(picked, indexSelect(y, 0, ix), 0, 0);
      }
    });
  }

  it('raises for a row index out of range, labels of another length, and a missing index', async () => {
    const [bc, bg] = pairOf(randomBytes(4 * 3, 4), [4, 3], gpu);
    const [lc, lg] = pairOf(Int32Array.from([1, 2, 3, 4]), [4], gpu);
    const bad = Int32Array.from([0, 4]);
    expect(() => gatherBatch(bc, lc, { index: fromArray(bad, [2], { device: 'cpu' }) })).toThrow('index 4 is out of range for dimension of size 4');
    await expect(gatherBatch(bg, lg, { index: fromArray(bad, [2], { device: gpu }) })[1].toArray()).rejects.toThrow('index 4 is out of range for dimension of size 4');
    expect(() => gatherBatch(bc, lc.narrow(0, 0, 3), { index: fromArray([0], [1], { dtype: 'int32', device: 'cpu' }) })).toThrow(
      'gatherBatch: expected labels [4] (one per image), found [3]',
    );
    expect(() => gatherBatch(bc, lc, {} as never)).toThrow('gatherBatch: expected an int32 index tensor');
  });
});

describe('dtype conversions with to()', () => {
  it('uint8 to int32 and float32 on both devices', async () => {
    const bytes = randomBytes(257, 5);
    for (const device of ['cpu', gpu] as const) {
      const t = fromArray(bytes, [257], { device });
      const asInt = t.to('int32');
      const asFloat = t.float();
      expect([asInt.dtype, asFloat.dtype]).toEqual(['int32', 'float32']);
      expect(await values(asInt)).toEqual(Array.from(bytes));
      expect(await values(asFloat)).toEqual(Array.from(bytes));
      expect(await values(t.narrow(0, 1, 6).int())).toEqual(Array.from(bytes.subarray(1, 7)));
    }
  });

  it('float32 to int32 truncates toward zero; int32 and bool to float32; float32 to bool', async () => {
    const data = [2.7, -2.7, 0.5, -0.5, 1e6 + 0.25, 3];
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray(data, [6], { device });
      expect(await values(x.to('int32'))).toEqual(data.map((v) => Math.trunc(v) | 0));
      expect(await values(x.int().to('float32'))).toEqual(data.map((v) => Math.trunc(v) | 0));
      expect(await values(x.gt(0).to('float32'))).toEqual(data.map((v) => Number(v > 0)));
      const flags = fromArray([0, -1.5, 2, 0], [4], { device }).to('bool');
      expect(flags.dtype).toBe('bool');
      expect(await values(flags)).toEqual([0, 1, 1, 0]);
      expect(x.to('float32')).toBe(x);
    }
  });

  it('float64 exists on cpu only and converts to float32 there', async () => {
    const x = fromArray([0.1, 1 / 3], [2], { device: 'cpu', dtype: 'float64' });
    expect(await values(x)).toEqual([0.1, 1 / 3]);
    expect(await values(x.float())).toEqual([Math.fround(0.1), Math.fround(1 / 3)]);
    expect(() => x.to(gpu)).toThrow('float64 is not supported on webgpu');
    expect(() => fromArray([1], [1], { device: gpu, dtype: 'float64' })).toThrow('float64 is not supported on webgpu');
  });
});
