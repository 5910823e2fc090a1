import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { label, pixel } from './idx-pattern.ts';

export { label, pixel } from './idx-pattern.ts';

/** An IDX file's bytes: big-endian magic, big-endian dims, then the uint8 data. */
export function idxBytes(magic: number, shape: readonly number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt32BE(magic, 0);
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}


export function imagesIdx(count: number, side = 28): Buffer {
  const data = new Uint8Array(count * side * side);
  for (let i = 0; i < count; i++) for (let j = 0; j < side * side; j++) data[i * side * side + j] = pixel(i, j);
  return idxBytes(0x803, [count, side, side], data);
}

export function labelsIdx(count: number): Buffer {
  return idxBytes(0x801, [count], Uint8Array.from({ length: count }, (_, i) => label(i)));
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mini-data-'));
}

/** Writes a split's two files into root/<folder>/raw, gzipped or not; returns the raw folder. */
export function writeSplit(root: string, folder: string, split: 'train' | 't10k', images: Buffer, labels: Buffer, gzip = true): string {
  const raw = join(root, folder, 'raw');
  mkdirSync(raw, { recursive: true });
  const ext = gzip ? '.gz' : '';
  writeFileSync(join(raw, `${split}-images-idx3-ubyte${ext}`), gzip ? gzipSync(images) : images);
  writeFileSync(join(raw, `${split}-labels-idx1-ubyte${ext}`), gzip ? gzipSync(labels) : labels);
  return raw;
}
