/**
 * Writes the page's data, public/sample/: the embedded MNIST sample (@mini/mnist-sample, 8,000
 * training and 2,000 test digits) as the four gzip IDX files of torchvision's MNIST, and
 * resources.json with their MD5s, which the page checks them against as it would MNIST's own.
 * `pnpm example:threenet-web` and `pnpm build` run it first; it writes nothing when the files exist.
 * Usage: tsx examples/threenet-web/make-sample.ts
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';
import { IDX_IMAGES, IDX_LABELS } from '@mini/data';

/** The folder the page fetches its data from. */
export const SAMPLE_FOLDER = join(import.meta.dirname, 'public', 'sample');

function idx(magic: number, shape: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

/** Writes the four files and resources.json into `folder` unless resources.json is there. */
export async function makeSample(folder = SAMPLE_FOLDER): Promise<void> {
  if (existsSync(join(folder, 'resources.json'))) return;
  mkdirSync(folder, { recursive: true });
  const resources: [string, string][] = [];
  for (const [split, train] of [['train', true], ['t10k', false]] as const) {
    const dataset = new MNISTSample(readMNISTSample(), { train });
    const images = (await dataset.data.toArray()) as Uint8Array;
    const labels = Uint8Array.from(await dataset.targets.toArray());
    for (const [name, bytes] of [
      [`${split}-images-idx3-ubyte.gz`, idx(IDX_IMAGES, [dataset.length, 28, 28], images)],
      [`${split}-labels-idx1-ubyte.gz`, idx(IDX_LABELS, [dataset.length], labels)],
    ] as const) {
      const gz = gzipSync(bytes);
      writeFileSync(join(folder, name), gz);
      resources.push([name, createHash('md5').update(gz).digest('hex')]);
    }
  }
  // resources.json last, under a temporary name first: its presence means the folder is complete
  writeFileSync(join(folder, 'resources.json.tmp'), JSON.stringify(resources, null, 2) + '\n');
  renameSync(join(folder, 'resources.json.tmp'), join(folder, 'resources.json'));
}

if (process.argv[1] === import.meta.filename) await makeSample();
