import { FashionMNIST } from '@mini/data/node';

/** Fashion-MNIST's 60,000 training images as uint8 [count, 28, 28] and labels, found where @mini/data finds them. */
export async function fashionMnistTrain(): Promise<{ images: Uint8Array; labels: Int32Array; count: number }> {
  const train = await new FashionMNIST('data', { train: true }).ready;
  return { images: train.data.storage.array as Uint8Array, labels: train.targets.storage.array as Int32Array, count: train.length };
}
