import { describe, expect, it } from 'vitest';
import { fromArray, type Tensor } from '@mini/tensor';
import { bytePipeline, Compose, Grayscale, Lambda, Normalize, ToTensor } from '@mini/data';

const bytes = (values: number[], shape: number[]) => fromArray(values, shape, { dtype: 'uint8', device: 'cpu' });
const floats = (values: number[], shape: number[]) => fromArray(values, shape, { dtype: 'float32', device: 'cpu' });

async function values(t: Tensor): Promise<number[]> {
  return Array.from(await t.toArray());
}

/** |a − e| ≤ tol for every element. */
function expectNear(actual: number[], expected: number[], tol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `element ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol));
}

describe('ToTensor', () => {
  it('maps a uint8 [H, W] image to float32 [1, H, W] in [0, 1]', async () => {
    const out = ToTensor()(bytes([0, 51, 255, 128, 1, 254], [2, 3]));
    expect(out.shape).toEqual([1, 2, 3]);
    expect(out.dtype).toBe('float32');
    expectNear(await values(out), [0, 51, 255, 128, 1, 254].map((b) => b / 255));
  });

  it('moves channels first for [H, W, C]', async () => {
    // pixel (h, w) has channels [10h + w, 100 + 10h + w]
    const hwc = bytes([0, 100, 1, 101, 10, 110, 11, 111], [2, 2, 2]);
    const out = ToTensor()(hwc);
    expect(out.shape).toEqual([2, 2, 2]);
    expectNear(await values(out), [0, 1, 10, 11, 100, 101, 110, 111].map((b) => b / 255));
  });

  it('does not scale a float image', async () => {
    expectNear(await values(ToTensor()(floats([0.5, 2], [1, 2]))), [0.5, 2]);
  });

  it("rejects other ranks in torchvision's words", () => {
    expect(() => ToTensor()(bytes([1], [1, 1, 1, 1]))).toThrow('pic should be 2/3 dimensional. Got 4 dimensions.');
  });
});

describe('Normalize', () => {
  it('normalizes each channel with its own mean and std', async () => {
    const x = floats([1, 2, 3, 4], [2, 1, 2]);
    expectNear(await values(Normalize([1, 2], [2, 4])(x)), [0, 0.5, 0.25, 0.5]);
  });

  it('applies a single value to every channel', async () => {
    expectNear(await values(Normalize([0.5], [0.5])(floats([0, 0.5, 1], [1, 1, 3]))), [-1, 0, 1]);
  });

  it("rejects a uint8 input, zero std and mismatched channels in torchvision's words", () => {
    expect(() => Normalize([0.5], [0.5])(bytes([1], [1, 1, 1]))).toThrow('Input tensor should be a float tensor. Got uint8.');
    expect(() => Normalize([0.5], [0])).toThrow('std evaluated to zero after conversion to torch.float32, leading to division by zero.');
    expect(() => Normalize([0.1, 0.2, 0.3], [1])(floats([0], [1, 1, 1]))).toThrow("output with shape [1, 1, 1] doesn't match the broadcast shape [3, 1, 1]");
  });
});

describe('Compose, Lambda and Grayscale', () => {
  it('the seed pipeline maps bytes 0..255 onto [-1, 1]', async () => {
    const seed = Compose([Grayscale(), ToTensor(), Normalize([0.5], [0.5])]);
    const all = Array.from({ length: 256 }, (_, b) => b);
    const out = await values(seed(bytes(all, [16, 16])));
    expectNear(out, all.map((b) => (b / 255 - 0.5) / 0.5));
    expect(Math.min(...out)).toBe(-1);
    expect(Math.max(...out)).toBe(1);
  });

  it('applies the transforms in order', async () => {
    const t = Compose([Lambda((x) => x.add(1)), Lambda((x) => x.mul(10))]);
    expectNear(await values(t(floats([1, 2], [2]))), [20, 30]);
  });

  it("converts RGB to luma with PIL's rounding", async () => {
    const rgb = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 255, 255, 255], [2, 3, 3]);
    // Expected: PIL's Image.fromarray(rgb, 'RGB').convert('L') on the same pixels (python3, Debian's PIL).
    const gray = Grayscale()(rgb);
    expect(gray.shape).toEqual([2, 3, 1]);
    expect(await values(gray)).toEqual([76, 150, 29, 18, 124, 255]);
    expect(await values(Grayscale(3)(bytes([7, 9], [1, 2])))).toEqual([7, 7, 7, 9, 9, 9]);
  });
});

describe('bytePipeline: the GPU-resident form of a transform', () => {
  const all = Array.from({ length: 256 }, (_, b) => b);

  it('recognises ToTensor + Normalize and folds chained Normalize steps', async () => {
    const transforms = [
      Compose([ToTensor(), Normalize([0.5], [0.5])]),
      Compose([Grayscale(), Compose([ToTensor(), Normalize([0.1307], [0.3081])]), Normalize([0.25], [2])]),
      ToTensor(),
    ];
    for (const transform of transforms) {
      const pipeline = bytePipeline(transform)!;
      expect(pipeline).not.toBeNull();
      expect(pipeline.augments).toEqual([]);
      const norm = pipeline.normalization;
      const host = await values(transform(bytes(all, [16, 16])));
      expectNear(all.map((b) => (b * norm.scale - norm.mean) / norm.std), host, 1e-6);
    }
  });

  it('leaves anything else to the per-item path', () => {
    expect(bytePipeline(undefined)).toBeNull();
    expect(bytePipeline(Compose([ToTensor(), Lambda((x) => x)]))).toBeNull();
    expect(bytePipeline(Compose([ToTensor(), Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])]))).toBeNull();
    expect(bytePipeline(Compose([Grayscale(3), ToTensor()]))).toBeNull();
    expect(bytePipeline(Normalize([0.5], [0.5]))).toBeNull();
    expect(bytePipeline((x) => x)).toBeNull();
  });
});
