import { device, keep, upload, type Tensor } from '@mini/tensor';
import { checkIndex, Dataset } from './dataset.ts';
import type { Transform } from './transforms.ts';

/** The options every image dataset takes: the transforms of an image and of its label, as torchvision's. */
export interface ImageDatasetOptions {
  /** Applied to each uint8 image [H, W] (the analogue of torchvision's PIL image). */
  transform?: Transform;
  /** Applied to each class index. */
  targetTransform?: (target: number) => number;
}

/** Images as one uint8 block [N, H, W] and their class indices. */
export interface ImageData {
  /** All images, one after the other, row-major, one byte per pixel. */
  images: Uint8Array;
  /** The class index of each image. */
  labels: Int32Array;
  /** Rows per image. */
  height: number;
  /** Columns per image. */
  width: number;
}

/**
 * A dataset of single-channel uint8 images with class labels (the MNIST family), like
 * torchvision's VisionDataset: `data` is uint8 [N, H, W] and `targets` int32 [N], both on the
 * cpu; an item is [transform(image), targetTransform(label)]. Because the images are bytes in
 * one block, a DataLoader can upload them once and make each batch on the GPU.
 */
export abstract class ImageDataset extends Dataset<[Tensor, number]> {
  /** The names of the classes, by index, as torchvision's `classes`. */
  abstract readonly classes: readonly string[];
  /** Applied to each image as it is fetched. */
  readonly transform?: Transform;
  /** Applied to each label as it is fetched. */
  readonly targetTransform?: (target: number) => number;
  private loaded: { data: Tensor; targets: Tensor } | null = null;
  private failure: unknown = null;
  private loading: Promise<this> | null = null;

  constructor(options: ImageDatasetOptions) {
    super();
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
  }

  /** Starts loading; `ready` settles when it is done. Call once, from the subclass's constructor. */
  protected load(source: () => Promise<ImageData>): void {
    this.loading = source().then(
      (data) => {
        this.setData(data);
        return this;
      },
      (error) => {
        this.failure = error;
        throw error;
      },
    );
    // The error is raised where the dataset is used (ready, length, getItem), not as an unhandled rejection.
    this.loading.catch(() => {});
  }

  /** Stores the images and labels (once, when loading finishes). */
  protected setData({ images, labels, height, width }: ImageData): void {
    const cpu = device('cpu');
    this.loaded = {
      data: keep(upload(images, [labels.length, height, width], 'uint8', cpu)),
      targets: keep(upload(labels, [labels.length], 'int32', cpu)),
    };
  }

  override get ready(): Promise<this> {
    return this.loading ?? Promise.resolve(this);
  }

  /** The images, uint8 [N, H, W] on the cpu. */
  get data(): Tensor {
    return this.state().data;
  }

  /** The class indices, int32 [N] on the cpu. */
  get targets(): Tensor {
    return this.state().targets;
  }

  /** The number of images. */
  get length(): number {
    return this.state().targets.shape[0];
  }

  /** Image `index` (transformed) and its label. */
  getItem(index: number): [Tensor, number] {
    const { data, targets } = this.state();
    const i = checkIndex(index, this.length);
    const [, height, width] = data.shape;
    const bytes = data.storage.array.slice(i * height * width, (i + 1) * height * width);
    const image = upload(bytes, [height, width], 'uint8', data.device);
    const target = targets.storage.array[i];
    return [this.transform ? this.transform(image) : image, this.targetTransform ? this.targetTransform(target) : target];
  }

  private state(): { data: Tensor; targets: Tensor } {
    if (this.failure) throw this.failure;
    if (!this.loaded) throw new Error(`${this.constructor.name} is still loading: \`await dataset.ready\` before using it`);
    return this.loaded;
  }
}
