/**
 * Writes test/fixtures/idx/: the generated IDX files of idx-files.ts (20 training and 7 test
 * images) gzipped under torchvision's names, and their MD5s in resources.json, for the tests that
 * fetch them (fetched-mnist.test.ts in Node, browser/fetched-mnist.test.ts in a page).
 * Run: npx tsx packages/data/test/tools/write-idx-fixtures.ts
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { imagesIdx, labelsIdx } from '../idx-files.ts';

const folder = new URL('../fixtures/idx/', import.meta.url);
const files: [string, Buffer][] = [
  ['train-images-idx3-ubyte.gz', gzipSync(imagesIdx(20))],
  ['train-labels-idx1-ubyte.gz', gzipSync(labelsIdx(20))],
  ['t10k-images-idx3-ubyte.gz', gzipSync(imagesIdx(7))],
  ['t10k-labels-idx1-ubyte.gz', gzipSync(labelsIdx(7))],
];
for (const [name, bytes] of files) writeFileSync(new URL(name, folder), bytes);
const resources = files.map(([name, bytes]) => [name, createHash('md5').update(bytes).digest('hex')]);
writeFileSync(new URL('resources.json', folder), JSON.stringify(resources, null, 2) + '\n');
console.log(resources);
