export { Dataset, TensorDataset, Subset, randomSplit } from './dataset.ts';
export { DataLoader, type DataLoaderOptions } from './dataloader.ts';
export { defaultCollate, type Collated } from './collate.ts';
export { Compose, ToTensor, Normalize, Lambda, Grayscale, type Transform } from './transforms.ts';
export { bytePipeline, type ByteNormalization, type BytePipeline } from './byte-pipeline.ts';
// random augmentations (issue 14b): per item on the cpu, one kernel per batch on the GPU-resident path
export {
  RandomHorizontalFlip,
  RandomCrop,
  RandomRotation,
  RandomAffine,
  type RandomCropOptions,
  type RandomRotationOptions,
  type RandomAffineOptions,
} from './random-transforms.ts';
export { augmentBatch, type Augment } from './augment.ts';
export { ImageDataset, type ImageDatasetOptions, type ImageData } from './image-dataset.ts';
export { ProgressBar, type ProgressSink } from './progress.ts';
// the MNIST family over HTTP(S), for web pages (fetch + DecompressionStream, size and MD5 checked)
export { FetchedMNIST, type FetchedMNISTOptions } from './fetched-mnist.ts';
export { fetchIdx, fetchVerified, type FetchProgress, type FetchVerifiedOptions } from './fetch-idx.ts';
export { parseIdx, IDX_IMAGES, IDX_LABELS, type IdxArray } from './idx-format.ts';
export { MNIST_FILES, FASHION_MNIST_FILES, KMNIST_FILES, type MNISTFamilyMember, type Resource } from './mnist-family.ts';
export { Md5 } from './md5.ts';
