/**
 * The IDX format of the MNIST family (big-endian magic and dims, then uint8 data), parsed from
 * chunks as they arrive: from a file in Node (idx.ts), from fetch() anywhere (fetch-idx.ts).
 */
import type { ImageData } from './image-dataset.ts';

/** IDX magic numbers of the MNIST family: uint8 data (0x08) with 1 or 3 dimensions. */
export const IDX_LABELS = 0x00000801;
/** IDX magic number of uint8 image files (3 dimensions: count, rows, columns). */
export const IDX_IMAGES = 0x00000803;

/** The contents of an IDX file: its dims and its uint8 data. */
export interface IdxArray {
  /** The dims the file's header gives. */
  shape: number[];
  /** The elements, row-major. */
  data: Uint8Array;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** A malformed IDX file; its message names the file and what was expected vs found. */
export class IdxError extends Error {}

/** An image set from its images and labels IDX arrays, which must hold as many of each. */
export function imageData(images: IdxArray, labels: IdxArray, imagesFile: string, labelsFile: string): ImageData {
  const [count, height, width] = images.shape;
  const name = (file: string) => file.slice(file.lastIndexOf('/') + 1);
  if (count !== labels.shape[0]) {
    throw new Error(
      `${name(imagesFile)} and ${name(labelsFile)} disagree: expected as many labels as images (${count} images in ${imagesFile}), found ${labels.shape[0]} labels in ${labelsFile}`,
    );
  }
  return { images: images.data, labels: Int32Array.from(labels.data), height, width };
}

/** Throws unless `head` (a file's first bytes) starts with gzip's magic bytes 1f 8b. */
export function checkGzipMagic(file: string, head: Uint8Array): void {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return;
  const found = head.length === 0 ? 'an empty file' : Array.from(head.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new IdxError(`${file}: not a gzip file: expected the gzip magic bytes 1f 8b, found ${found}`);
}

/** Parses the header as the bytes arrive, then copies the data into place. */
export class IdxParser {
  private header = new Uint8Array(0);
  private shape: number[] | null = null;
  private data: Uint8Array | null = null;
  private filled = 0;
  private total = 0;

  constructor(
    private readonly file: string,
    private readonly expectedMagic: number,
  ) {}

  private get headerBytes(): number {
    return 4 + 4 * (this.expectedMagic & 0xff);
  }

  /** Takes the next bytes of the file. */
  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (!this.data) {
      const header = new Uint8Array(this.header.length + chunk.length);
      header.set(this.header);
      header.set(chunk, this.header.length);
      this.header = header;
      if (this.header.length >= 4) this.checkMagic();
      if (this.header.length < this.headerBytes) return;
      this.allocate();
      chunk = this.header.subarray(this.headerBytes);
    }
    const data = this.data!;
    const room = data.length - this.filled;
    data.set(chunk.subarray(0, room), this.filled);
    this.filled += Math.min(room, chunk.length);
  }

  /** The parsed array, once every byte has arrived; an error if there were too few or too many. */
  finish(): IdxArray {
    if (!this.data) {
      throw new IdxError(`${this.file}: truncated: expected a ${this.headerBytes}-byte IDX header, found ${this.total} bytes`);
    }
    const expected = this.headerBytes + this.data.length;
    if (this.total !== expected) {
      const what = this.total < expected ? 'truncated' : 'trailing bytes';
      throw new IdxError(`${this.file}: ${what}: expected ${expected} bytes (${this.headerBytes}-byte header + ${this.shape!.join('×')} data), found ${this.total}`);
    }
    return { shape: this.shape!, data: this.data };
  }

  private checkMagic(): void {
    const magic = this.word(0);
    if (magic !== this.expectedMagic) {
      throw new IdxError(`${this.file}: wrong magic number: expected ${hex(this.expectedMagic)} (${describe(this.expectedMagic)}), found ${hex(magic)}`);
    }
  }

  private word(at: number): number {
    return new DataView(this.header.buffer, this.header.byteOffset).getUint32(at, false);
  }

  private allocate(): void {
    const dims = this.expectedMagic & 0xff;
    this.shape = Array.from({ length: dims }, (_, d) => this.word(4 + 4 * d));
    this.data = new Uint8Array(this.shape.reduce((a, b) => a * b, 1));
  }
}

function describe(magic: number): string {
  return magic === IDX_LABELS ? 'uint8 labels, 1 dimension' : magic === IDX_IMAGES ? 'uint8 images, 3 dimensions' : 'IDX';
}
