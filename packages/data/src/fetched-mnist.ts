import { checkOptions } from '@mini/tensor';
import { fetchIdx, type FetchProgress } from './fetch-idx.ts';
import { IDX_IMAGES, IDX_LABELS } from './idx-format.ts';
import { imageData } from './idx-parser.ts';
import { ImageDataset, type ImageData, type ImageDatasetOptions } from './image-dataset.ts';
import { MNIST_FILES, type MNISTFamilyMember, type Resource } from './mnist-family.ts';

/** The options of FetchedMNIST. */
export interface FetchedMNISTOptions extends ImageDatasetOptions {
  /** The training split when true (default), the test split when false. */
  train?: boolean;
  /** Which dataset of the family: MNIST_FILES (default), FASHION_MNIST_FILES, KMNIST_FILES. */
  family?: MNISTFamilyMember;
  /** The four files and their MD5s, when the server holds other files than the family's (a sample). */
  resources?: readonly Resource[];
  /** Called as the split's two files arrive. */
  onProgress?: (progress: FetchProgress) => void;
}

/**
 * A dataset of the MNIST family fetched over HTTP(S), for web pages (it needs only fetch and
 * DecompressionStream, so it runs in Node 20 too): `new FetchedMNIST(baseUrl, {train, family})`
 * fetches baseUrl + each of the split's two torchvision file names (…-idx3-ubyte.gz), checks each
 * by size and MD5, and parses it. The server must allow the page's origin (CORS); the family's
 * `mirrors` are where the files are published. `await dataset.ready`, as with MNIST.
 */
export class FetchedMNIST extends ImageDataset {
  /** The class names of the family member. */
  readonly classes: readonly string[];
  /** Whether this is the training split. */
  readonly train: boolean;

  constructor(
    /** The URL of the folder that holds the files, ending in '/'. */
    readonly baseUrl: string,
    options: FetchedMNISTOptions = {},
  ) {
    super(checkOptions('FetchedMNIST', options, ['transform', 'targetTransform', 'train', 'family', 'resources', 'onProgress']));
    const family = options.family ?? MNIST_FILES;
    this.classes = family.classes;
    this.train = options.train ?? true;
    const resources = options.resources ?? family.resources;
    if (resources.length !== 4) throw new Error(`FetchedMNIST: expected 4 resources (train images, train labels, test images, test labels), found ${resources.length}`);
    const [images, labels] = this.train ? resources.slice(0, 2) : resources.slice(2);
    this.load(() => this.fetchSplit(images, labels, options.onProgress));
  }

  private async fetchSplit(images: Resource, labels: Resource, onProgress?: (progress: FetchProgress) => void): Promise<ImageData> {
    const url = ([name]: Resource) => new URL(name, this.baseUrl).toString();
    const [x, y] = await Promise.all([
      fetchIdx(url(images), IDX_IMAGES, { md5: images[1], onProgress }),
      fetchIdx(url(labels), IDX_LABELS, { md5: labels[1], onProgress }),
    ]);
    return imageData(x, y, url(images), url(labels));
  }
}
