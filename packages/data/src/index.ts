export { Dataset, TensorDataset, Subset, randomSplit } from './dataset.ts';
export { DataLoader, type DataLoaderOptions } from './dataloader.ts';
export { defaultCollate, type Collated } from './collate.ts';
export { Compose, ToTensor, Normalize, Lambda, Grayscale, type Transform } from './transforms.ts';
export { bytePipeline, type ByteNormalization } from './byte-pipeline.ts';
export { ImageDataset, type ImageDatasetOptions, type ImageData } from './image-dataset.ts';
export { ProgressBar, type ProgressSink } from './progress.ts';
