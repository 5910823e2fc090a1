/**
 * IDX files parsed from chunks as they arrive: from a file in Node (idx.ts), from fetch()
 * anywhere (fetch-idx.ts). The format's checks are in idx-format.ts.
 */
import { checkIdxLength, checkIdxMagic, IdxError, idxHeaderBytes, idxShape, type IdxArray } from './idx-format.ts';
import type { ImageData } from './image-dataset.ts';

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

  /** Takes the next bytes of the file. */
  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (!this.data) {
      const header = new Uint8Array(this.header.length + chunk.length);
      header.set(this.header);
      header.set(chunk, this.header.length);
      this.header = header;
      if (header.length >= 4) checkIdxMagic(this.file, header, this.expectedMagic);
      const headerBytes = idxHeaderBytes(this.expectedMagic);
      if (header.length < headerBytes) return;
      this.shape = idxShape(header, this.expectedMagic);
      this.data = new Uint8Array(this.shape.reduce((a, b) => a * b, 1));
      chunk = header.subarray(headerBytes);
    }
    const data = this.data;
    const room = data.length - this.filled;
    data.set(chunk.subarray(0, room), this.filled);
    this.filled += Math.min(room, chunk.length);
  }

  /** The parsed array, once every byte has arrived; an error if there were too few or too many. */
  finish(): IdxArray {
    checkIdxLength(this.file, this.total, this.expectedMagic, this.shape);
    return { shape: this.shape!, data: this.data! };
  }
}
