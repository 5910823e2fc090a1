import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { downloadResources, type Resource } from './download.ts';
import { IDX_IMAGES, IDX_LABELS } from './idx-format.ts';
import { readIdx } from './idx.ts';
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
  static folder = 'MNIST';
  /** Base URLs the files are downloaded from, tried in order. */
  static mirrors: readonly string[] = ['http://yann.lecun.com/exdb/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'];
  /** The four IDX files (gzip) and their MD5s. */
  static resources: readonly Resource[] = [
    ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
    ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
    ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
    ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
  ];
  /** The class names, as torchvision's. */
  static classes: readonly string[] = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];
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
    const [count, height, width] = images.shape;
    if (count !== labels.shape[0]) {
      throw new Error(
        `${basename(imagesFile)} and ${basename(labelsFile)} disagree: expected as many labels as images (${count} images in ${imagesFile}), found ${labels.shape[0]} labels in ${labelsFile}`,
      );
    }
    return { images: images.data, labels: Int32Array.from(labels.data), height, width };
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
  static override folder = 'FashionMNIST';
  static override mirrors: readonly string[] = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'];
  static override resources: readonly Resource[] = [
    ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'],
    ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'],
    ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'],
    ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'],
  ];
  static override classes: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
  static override systemFolders: readonly string[] = ['/usr/share/datasets/fashion-mnist'];
}

/** Kuzushiji-MNIST, like torchvision.datasets.KMNIST. */
export class KMNIST extends MNIST {
  static override folder = 'KMNIST';
  static override mirrors: readonly string[] = ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'];
  static override resources: readonly Resource[] = [
    ['train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'],
    ['train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'],
    ['t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'],
    ['t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134'],
  ];
  static override classes: readonly string[] = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'];
}
