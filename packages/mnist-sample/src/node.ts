/**
 * `@mini/mnist-sample/node`: the sample's files read from this package's folder.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { MNISTSampleFiles } from './mnist-sample.ts';

let files: MNISTSampleFiles | null = null;

/** The bytes of the two IDX files this package ships (read once): `new MNISTSample(readMNISTSample(), { train })`. */
export function readMNISTSample(): MNISTSampleFiles {
  const read = (name: string): Uint8Array => readFileSync(new URL(`../data/${name}`, import.meta.url));
  files ??= { images: read('images-idx3-ubyte'), labels: read('labels-idx1-ubyte') };
  return files;
}
