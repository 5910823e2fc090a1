import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';
import { Generator, fromArray, init, keep, type Device, type Tensor } from '@mini/tensor';
import {
  Compose,
  DataLoader,
  Normalize,
  RandomAffine,
  RandomCrop,
  RandomHorizontalFlip,
  RandomRotation,
  ToTensor,
  augmentBatch,
  bytePipeline,
  type Augment,
  type Transform,
} from '@mini/data';

let gpu: Device;
beforeAll(async () => {
  gpu = await init('webgpu');
});

/** The augmentation a built-in random transform runs (what the resident path finds). */
function augmentOf(transform: Transform): Augment {
  return bytePipeline(Compose([transform, ToTensor()]))!.augments[0];
}

/** A batch [B, C, H, W] of distinct values (pixel index + 1, so that a fill of 0 shows). */
function batch(shape: [number, number, number, number], dev: 'cpu' | 'webgpu'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(Float32Array.from({ length: n }, (_, i) => i + 1), shape, { device: dev });
}

/** Runs one augmentation on cpu and webgpu from generators with the same seed. */
async function bothDevices(make: (g: Generator) => Transform, shape: [number, number, number, number], seed = 3): Promise<[Float32Array, Float32Array]> {
  const cpu = augmentBatch(augmentOf(make(new Generator(seed))), batch(shape, 'cpu'));
  const webgpu = augmentBatch(augmentOf(make(new Generator(seed))), batch(shape, 'webgpu'));
  return [(await cpu.toArray()) as Float32Array, (await webgpu.toArray()) as Float32Array];
}

const SHAPES: [number, number, number, number][] = [
  [1, 1, 7, 9],
  [7, 3, 5, 5],
  [33, 1, 28, 28],
];

describe('augment kernel against the cpu reference', () => {
  const kinds: [string, (g: Generator) => Transform, number][] = [
    ['RandomHorizontalFlip', (g) => RandomHorizontalFlip(0.5, { generator: g }), 0],
    ['RandomCrop with asymmetric padding', (g) => RandomCrop([4, 5], { padding: [1, 2, 3, 0], fill: -7, generator: g }), 0],
    // Nearest sampling of a rotated grid: sin/cos differ in the last bits between the GPU and the
    // host, which can move a source coordinate across a rounding boundary: allow 1 pixel in 2000.
    ['RandomRotation 15°', (g) => RandomRotation(15, { generator: g }), 1 / 2000],
    ['RandomAffine ±10°, shifts 0.2', (g) => RandomAffine([-10, 10], { translate: [0.2, 0.2], fill: 2, generator: g }), 1 / 2000],
  ];
  for (const [name, make, allowed] of kinds) {
    for (const shape of SHAPES) {
      if (name.startsWith('RandomCrop') && shape[2] < 4) continue;
      it(`${name} on [${shape.join(', ')}]: ${allowed ? `at most ${allowed * 100}% of pixels differ` : 'identical'}`, async () => {
        const [cpu, webgpu] = await bothDevices(make, shape);
        expect(webgpu.length).toBe(cpu.length);
        const differing = cpu.filter((v, i) => v !== webgpu[i]).length;
        expect(differing).toBeLessThanOrEqual(Math.floor(allowed * cpu.length));
      });
    }
  }
});

describe('augmentations do what they say', () => {
  const image = (h: number, w: number) => fromArray(Uint8Array.from({ length: h * w }, (_, i) => i + 1), [h, w], { dtype: 'uint8', device: 'cpu' });
  const pixels = async (t: Tensor) => Array.from(await t.toArray());

  it('RandomHorizontalFlip mirrors rows with p = 1 and leaves the image with p = 0', async () => {
    const img = image(2, 3);
    expect(await pixels(RandomHorizontalFlip(1)(img))).toEqual([3, 2, 1, 6, 5, 4]);
    expect(await pixels(RandomHorizontalFlip(0)(img))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('RandomCrop cuts a window of the padded image at a random offset, filled outside', async () => {
    const img = image(3, 3);
    const seen = new Set<string>();
    const g = new Generator(1);
    const crop = RandomCrop(3, { padding: 1, fill: 0, generator: g });
    for (let k = 0; k < 40; k++) {
      const out = await pixels(crop(img));
      // the window [top, left] of the 5×5 padded image
      const padded = (r: number, c: number) => (r >= 1 && r <= 3 && c >= 1 && c <= 3 ? (r - 1) * 3 + c : 0);
      const offsets = [0, 1, 2].flatMap((top) => [0, 1, 2].map((left) => [top, left]));
      const match = offsets.find(([top, left]) => out.every((v, i) => v === padded(top + Math.floor(i / 3), left + (i % 3))));
      expect(match, `crop ${out}`).toBeDefined();
      seen.add(String(match));
    }
    expect(seen.size).toBe(9);
    expect(await pixels(RandomCrop(3)(img))).toEqual(await pixels(img));
  });

  it('RandomRotation by exactly 90° turns the image counter-clockwise; by 0° leaves it', async () => {
    const img = image(3, 3);
    expect(await pixels(RandomRotation([90, 90])(img))).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
    expect(await pixels(RandomRotation([0, 0])(img))).toEqual(await pixels(img));
  });

  it('RandomAffine with translate only shifts the image by whole pixels, within the bound', async () => {
    const img = image(5, 10);
    const g = new Generator(2);
    const affine = RandomAffine(0, { translate: [0.2, 0.2], generator: g });
    for (let k = 0; k < 20; k++) {
      const out = await pixels(affine(img));
      const shifts = [-2, -1, 0, 1, 2].flatMap((dx) => [-1, 0, 1].map((dy) => [dx, dy]));
      const at = (r: number, c: number) => (r >= 0 && r < 5 && c >= 0 && c < 10 ? r * 10 + c + 1 : 0);
      const match = shifts.find(([dx, dy]) => out.every((v, i) => v === at(Math.floor(i / 10) - dy, (i % 10) - dx)));
      expect(match, `shifted ${out}`).toBeDefined();
    }
  });

  it('is reproducible from the generator seed', async () => {
    const run = async (seed: number) => pixels(augmentBatch(augmentOf(RandomRotation(20, { generator: new Generator(seed) })), batch([4, 1, 9, 9], 'webgpu')));
    expect(await run(5)).toEqual(await run(5));
    expect(await run(5)).not.toEqual(await run(6));
  });

  it("rejects what mini does not support, and bad arguments in torchvision's words", () => {
    expect(() => RandomCrop(3, { padIfNeeded: true })).toThrow('padIfNeeded is not supported');
    expect(() => RandomCrop(3, { paddingMode: 'reflect' as never })).toThrow("padding mode 'reflect' is not supported");
    expect(() => RandomCrop(3, { padding: [1, 2, 3] })).toThrow('Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple');
    expect(() => RandomCrop(5)(image(3, 3))).toThrow('Required crop size (5, 5) is larger than input image size (3, 3)');
    expect(() => RandomRotation(-1)).toThrow('If degrees is a single number, it must be positive.');
    expect(() => RandomRotation(10, { expand: true })).toThrow('only nearest interpolation about the centre, without expand');
    expect(() => RandomAffine(10, { scale: [0.9, 1.1] as never })).toThrow('scale and shear are not supported');
    expect(() => RandomAffine(10, { translate: [1.5, 0] })).toThrow('translation values should be between 0 and 1');
    expect(() => RandomHorizontalFlip(0.5, { p: 1 } as never)).toThrow("RandomHorizontalFlip() got an unexpected keyword argument 'p'");
  });
});

describe('augmentations on the GPU-resident batch path', () => {
  it('runs one kernel per augmentation and batch with no upload, and equals the cpu loader batch for batch (within 1e-6)', async () => {
    const [cropDraws, flipDraws] = [new Generator(7), new Generator(8)];
    const transform = Compose([RandomCrop(28, { padding: 2, generator: cropDraws }), RandomHorizontalFlip(0.5, { generator: flipDraws }), ToTensor(), Normalize([0.5], [0.5])]);
    const dataset = new MNISTSample(readMNISTSample(), { train: false, transform });
    const onGpu = new DataLoader(dataset, { batchSize: 500, shuffle: true, generator: new Generator(1), device: gpu });
    for await (const _ of onGpu) break; // uploads the dataset once
    cropDraws.manualSeed(7);
    flipDraws.manualSeed(8);
    const upload = vi.spyOn(gpu.gpu, 'upload');
    const dispatches = gpu.gpu.dispatchCount;
    const batches: Tensor[] = [];
    for await (const [x] of onGpu) batches.push(keep(x));
    // one order upload for the epoch; per batch one gather of images and labels, and two augmentations
    expect(upload).toHaveBeenCalledTimes(1);
    expect(gpu.gpu.dispatchCount - dispatches).toBe(batches.length * 3);
    upload.mockRestore();
    cropDraws.manualSeed(7);
    flipDraws.manualSeed(8);
    const onCpu = new DataLoader(dataset, { batchSize: 500, shuffle: true, generator: new Generator(1), device: 'cpu' });
    for await (const _ of onCpu) break; // the same draws as the gpu loader's first epoch
    cropDraws.manualSeed(7);
    flipDraws.manualSeed(8);
    let b = 0;
    for await (const [x] of onCpu) {
      const [want, got] = [await x.toArray(), await batches[b++].toArray()];
      expect(got.length).toBe(want.length);
      // normalizeBytes rounds differently on the two devices (see resident.test.ts): within 1e-6
      expect(want.filter((v, i) => !(Math.abs(v - got[i]) <= 1e-6)).length, `batch ${b}: differing pixels`).toBe(0);
    }
    expect(b).toBe(batches.length);
    batches.forEach((t) => t.dispose());
  });
});
