import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, Generator, init, manualSeed, ones, type Device, type Tensor } from '@mini/tensor';
import { F, nn } from '@mini/nn';
import { backwardWith, expectGradcheck, expectValues, FIXTURES, load, randomLeaf, targets, type Values } from './layer-fixtures.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await init('webgpu');
});

describe('F.dropout / nn.Dropout', () => {
  it('drops about p of the elements and scales the rest by 1/(1 − p), the same on cpu and webgpu', async () => {
    const n = 100_003;
    const data = Float32Array.from({ length: n }, (_, i) => 1 + (i % 7));
    const outs: Float32Array[] = [];
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray(data, [n], { device });
      outs.push((await F.dropout(x, 0.3, true, { generator: new Generator(42) }).toArray()) as Float32Array);
    }
    let mismatches = 0;
    let dropped = 0;
    let badScale = 0;
    for (let i = 0; i < n; i++) {
      const [c, g] = [outs[0][i], outs[1][i]];
      if ((c === 0) !== (g === 0) || Math.abs(c - g) > 1e-6 * Math.abs(c)) mismatches++;
      if (c === 0) dropped++;
      else if (Math.abs(c - data[i] / 0.7) > 1e-5 * c) badScale++;
    }
    expect(mismatches).toBe(0);
    expect(badScale).toBe(0);
    expect(dropped / n).toBeGreaterThan(0.29);
    expect(dropped / n).toBeLessThan(0.31);
  });
  it('is seeded by the generator: the same seed repeats the mask, the next call draws another', async () => {
    const x = ones([1000], { device: gpu });
    manualSeed(3);
    const a = await F.dropout(x).toArray();
    const b = await F.dropout(x).toArray();
    manualSeed(3);
    const c = await F.dropout(x).toArray();
    expect(Array.from(c)).toEqual(Array.from(a));
    expect(Array.from(b)).not.toEqual(Array.from(a));
  });
  it('backward lets the gradient through the kept elements only, scaled', async () => {
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray(Float32Array.from({ length: 257 }, (_, i) => i + 1), [257], { device, requiresGrad: true });
      const y = F.dropout(x, 0.5, true, { generator: new Generator(1) });
      y.backward(ones([257], { device }));
      const [out, grad] = [await y.toArray(), await x.grad!.toArray()];
      out.forEach((v, i) => expect(grad[i]).toBe(v === 0 ? 0 : 2));
    }
  });
  it('gradcheck (float64, cpu) with a fixed mask', async () => {
    await expectGradcheck((x) => F.dropout(x, 0.4, true, { generator: new Generator(5) }), [randomLeaf([5, 7], 1)]);
  });
  it('is the identity in eval mode, and p = 1 zeroes everything', async () => {
    const drop = new nn.Dropout(0.2);
    expect(drop.toString()).toBe('Dropout(p=0.2, inplace=False)');
    const x = fromArray([1, 2, 3], [3], { device: gpu });
    drop.eval();
    expect(drop.call(x)).toBe(x);
    expect(Array.from(await F.dropout(x, 1).toArray())).toEqual([0, 0, 0]);
  });
  it("validates p in PyTorch's words", () => {
    expect(() => new nn.Dropout(1.5)).toThrow('dropout probability has to be between 0 and 1, but got 1.5');
    expect(() => F.dropout(fromArray([1], [1]), -0.1)).toThrow('dropout probability has to be between 0 and 1, but got -0.1');
    expect(() => new nn.Dropout(0.5, { inplace: true as false })).toThrow('inplace=true is not supported');
  });
});

describe('F.embedding / nn.Embedding against PyTorch (gradients with repeated indices, padding_idx)', () => {
  for (const t of targets(() => gpu)) {
    for (const c of FIXTURES.embedding) {
      it(`${c.name} on ${t.dtype === 'float64' ? 'cpu' : 'webgpu'}`, async () => {
        const weight = load(c.weight as never, t, true);
        const index = c.index as Values;
        const idx = fromArray(index.data, index.shape, { device: t.device, dtype: 'int32' });
        const out = F.embedding(idx, weight, { paddingIdx: c.paddingIdx as number | null });
        await expectValues(out, c.output, t, 'output');
        backwardWith(out, c.upstream, t);
        await expectValues(weight.grad!, c.grads.weight, t, 'weight grad');
      });
    }
  }
  // With paddingIdx the gradient is zero by definition, not the derivative: the fixtures check it.
  it('gradcheck (float64, cpu) with repeated indices', async () => {
    const idx = fromArray([2, 0, 2, 3, 2, 0], [2, 3], { device: 'cpu', dtype: 'int32' });
    await expectGradcheck((w) => F.embedding(idx, w), [randomLeaf([4, 3], 1)]);
  });
  it('nn.Embedding: N(0, 1) initialization with a zero padding row, PyTorch printing and errors', async () => {
    const emb = new nn.Embedding(10, 4, { paddingIdx: -2 });
    expect(emb.paddingIdx).toBe(8);
    expect(emb.toString()).toBe('Embedding(10, 4, padding_idx=8)');
    const w = await emb.weight.toArray();
    expect(Array.from(w.slice(32, 36))).toEqual([0, 0, 0, 0]);
    expect(Array.from(w.slice(0, 32)).every((v) => v !== 0)).toBe(true);
    const out = emb.call(fromArray([1, 8, 3, 3], [2, 2], { dtype: 'int32' })) as Tensor;
    expect(out.shape).toEqual([2, 2, 4]);
    expect(() => new nn.Embedding(5, 2, { paddingIdx: 5 })).toThrow('Padding_idx must be within num_embeddings');
    expect(() => new nn.Embedding(5, 2, { maxNorm: 1 as unknown as null })).toThrow('maxNorm is not supported');
    expect(() => F.embedding(fromArray([1.5], [1]), emb.weight)).toThrow('embedding: expected indices of dtype int32, found float32');
  });
});
