/**
 * `@mini/data/node`: the datasets and helpers that need Node's file system and network: the
 * MNIST family read from IDX files (downloaded when asked), IDX reading, and the downloader.
 * @module
 */
export { MNIST, FashionMNIST, KMNIST, type MNISTOptions } from './mnist.ts';
export { readIdx } from './idx.ts';
export { IDX_IMAGES, IDX_LABELS, type IdxArray } from './idx-format.ts';
export { downloadResources, type DownloadOptions, type Resource } from './download.ts';
