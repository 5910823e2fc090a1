/**
 * The files of the MNIST family as torchvision lists them (names and MD5s), where they are
 * published, and the class names: shared by the Node datasets (mnist.ts) and the fetched ones
 * (fetched-mnist.ts).
 */

/** A file to fetch and its MD5, like the entries of torchvision's `resources`. */
export type Resource = readonly [filename: string, md5: string];

/** One dataset of the family: where it is published, its four IDX files, its classes. */
export interface MNISTFamilyMember {
  /** The folder under root that torchvision uses (root/MNIST/raw). */
  folder: string;
  /** Base URLs the files are published at, tried in order. */
  mirrors: readonly string[];
  /** The four IDX files (gzip) and their MD5s: train images, train labels, test images, test labels. */
  resources: readonly Resource[];
  /** The class names, as torchvision's. */
  classes: readonly string[];
}

/** MNIST, as torchvision.datasets.MNIST. */
export const MNIST_FILES: MNISTFamilyMember = {
  folder: 'MNIST',
  mirrors: ['http://yann.lecun.com/exdb/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'],
  resources: [
    ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
    ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
    ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
    ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
  ],
  classes: ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'],
};

/** Fashion-MNIST, as torchvision.datasets.FashionMNIST. */
export const FASHION_MNIST_FILES: MNISTFamilyMember = {
  folder: 'FashionMNIST',
  mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
  resources: [
    ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'],
    ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'],
    ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'],
    ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'],
  ],
  classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};

/** Kuzushiji-MNIST, as torchvision.datasets.KMNIST. */
export const KMNIST_FILES: MNISTFamilyMember = {
  folder: 'KMNIST',
  mirrors: ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'],
  resources: [
    ['train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'],
    ['train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'],
    ['t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'],
    ['t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134'],
  ],
  classes: ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'],
};
