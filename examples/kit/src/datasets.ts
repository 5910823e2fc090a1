import { type DataLoader, type ImageDataset, type Transform } from '@mini/data';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';
import { FashionMNIST, MNIST } from '@mini/data/node';
import type { Tensor } from '@mini/tensor';
import { UsageError, type Config } from './args.ts';

/** Batches of [images, labels] from an image dataset. */
export type ImageLoader = DataLoader<[Tensor, number], [Tensor, Tensor]>;

/** The training and test sets that --dataset names. */
export function openDatasets(config: Config, transform: Transform): [ImageDataset, ImageDataset] {
  switch (config.dataset) {
    case 'mnist-sample':
      return [new MNISTSample(readMNISTSample(), { train: true, transform }), new MNISTSample(readMNISTSample(), { train: false, transform })];
    case 'mnist':
      return [
        new MNIST(config.root, { train: true, download: config.download, transform }),
        new MNIST(config.root, { train: false, download: config.download, transform }),
      ];
    case 'fashion-mnist':
      return [
        new FashionMNIST(config.root, { train: true, download: config.download, transform }),
        new FashionMNIST(config.root, { train: false, download: config.download, transform }),
      ];
  }
}

/** Waits for a dataset to load; a missing or broken file becomes a one-line usage error. */
export async function ready(dataset: { ready: Promise<unknown> }, config: Config): Promise<void> {
  try {
    await dataset.ready;
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    const hint =
      config.dataset === 'mnist' && !config.download
        ? ` (add --download, or put the files in ${config.root}/MNIST/raw)`
        : config.dataset === 'fashion-mnist'
          ? ' (install Debian\'s dataset-fashion-mnist, or put the files in ' + `${config.root}/FashionMNIST/raw)`
          : '';
    throw new UsageError(`${first}${hint}`);
  }
}
