import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { downloadResources } from './download.ts';
import { FASHION_MNIST_FILES, KMNIST_FILES, MNIST_FILES, type Resource } from './mnist-family.ts';
import { IDX_IMAGES, IDX_LABELS } from './idx-format.ts';
import { readIdx } from './idx.ts';
import { imageData } from './idx-parser.ts';
import { checkOptions } from '@mini/tensor';
import { ImageDataset, type ImageData, type ImageDatasetOptions } from './image-dataset.ts';

export interface MNISTOptions extends ImageDatasetOptions {
  /** The training split (train-*) when true, the test split (t10k-*) when false. Default true. */
  train?: boolean;
  /** Fetch the files into root/<folder>/raw when they are not found. Default false. */
  download?: boolean;
}

/**
 * MNIST from IDX files, like torchvision.datasets.MNIST: `new MNIST(root, {train, download, transform})`
 * reads root/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte, raw or .gz. Loading is
 * asynchronous: `await dataset.ready` (a DataLoader awaits it too). Subclasses set the folder,
 * mirrors, resources (file name and MD5) and classes, as torchvision's do.
 */
export class MNIST extends ImageDataset {
  /** The folder under root, as torchvision's (root/MNIST/raw). */
  static folder = MNIST_FILES.folder;
  /** Base URLs the files are downloaded from, tried in order. */
  static mirrors: readonly string[] = MNIST_FILES.mirrors;
  /** The four IDX files (gzip) and their MD5s. */
  static resources: readonly Resource[] = MNIST_FILES.resources;
  /** The class names, as torchvision's. */
  static classes: readonly string[] = MNIST_FILES.classes;
  /** Folders searched after root/<folder>/raw, e.g. where a system package installs the files. */
  static systemFolders: readonly string[] = [];

  /** Whether this is the training split. */
  readonly train: boolean;

  constructor(
    /** The folder the dataset lives under: files in root/<folder>/raw. */
    readonly root: string,
    options: MNISTOptions = {},
  ) {
    super(checkOptions(new.target.name, options, ['transform', 'targetTransform', 'train', 'download']));
    this.train = options.train ?? true;
    this.load(() => this.read(options.download ?? false));
  }

  private get kind(): typeof MNIST {
    return this.constructor as typeof MNIST;
  }

  /** The class names of this dataset's kind. */
  get classes(): readonly string[] {
    return this.kind.classes;
  }

  /** root/<folder>/raw, where downloads go. */
  get rawFolder(): string {
    return join(this.root, this.kind.folder, 'raw');
  }

  private get stems(): [images: string, labels: string] {
    const split = this.train ? 'train' : 't10k';
    return [`${split}-images-idx3-ubyte`, `${split}-labels-idx1-ubyte`];
  }

  private async read(download: boolean): Promise<ImageData> {
    let files = this.locate();
    if (!files && download) {
      await downloadResources({ mirrors: this.kind.mirrors, resources: this.kind.resources, folder: this.rawFolder });
      files = this.locate();
    }
    if (!files) throw new Error(this.notFoundMessage(download));
    const [imagesFile, labelsFile] = files;
    const [images, labels] = await Promise.all([readIdx(imagesFile, IDX_IMAGES), readIdx(labelsFile, IDX_LABELS)]);
    return imageData(images, labels, imagesFile, labelsFile);
  }

  /** The split's image and label files, raw preferred over .gz, from the first folder that has both. */
  private locate(): [string, string] | null {
    for (const folder of [this.rawFolder, ...this.kind.systemFolders]) {
      const found = this.stems.map((stem) => [join(folder, stem), join(folder, `${stem}.gz`)].find((file) => existsSync(file)));
      if (found[0] && found[1]) return [found[0], found[1]];
    }
    return null;
  }

  private notFoundMessage(downloaded: boolean): string {
    const folders = [this.rawFolder, ...this.kind.systemFolders].join(', ');
    const wanted = this.stems.map((stem) => `${stem}(.gz)`).join(' and ');
    const hint = downloaded ? '' : ' You can use download: true to download it.';
    return `Dataset not found: ${this.kind.folder} ${this.train ? 'train' : 'test'} needs ${wanted} in one of: ${folders}.${hint}`;
  }
}

/** Fashion-MNIST, like torchvision.datasets.FashionMNIST; also found where Debian's dataset-fashion-mnist installs it. */
export class FashionMNIST extends MNIST {
  static override folder = FASHION_MNIST_FILES.folder;
  static override mirrors: readonly string[] = FASHION_MNIST_FILES.mirrors;
  static override resources: readonly Resource[] = FASHION_MNIST_FILES.resources;
  static override classes: readonly string[] = FASHION_MNIST_FILES.classes;
  static override systemFolders: readonly string[] = ['/usr/share/datasets/fashion-mnist'];
}

/** Kuzushiji-MNIST, like torchvision.datasets.KMNIST. */
export class KMNIST extends MNIST {
  static override folder = KMNIST_FILES.folder;
  static override mirrors: readonly string[] = KMNIST_FILES.mirrors;
  static override resources: readonly Resource[] = KMNIST_FILES.resources;
  static override classes: readonly string[] = KMNIST_FILES.classes;
}
