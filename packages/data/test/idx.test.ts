import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '@mini/data';
import { IDX_IMAGES, IDX_LABELS, KMNIST, MNIST, readIdx } from '@mini/data/node';
import { imagesIdx, label, labelsIdx, pixel, tempDir, writeSplit } from './idx-files.ts';

function write(name: string, bytes: Buffer): string {
  const file = join(tempDir(), name);
  writeFileSync(file, bytes);
  return file;
}

describe('parseIdx: IDX bytes already in memory (no node: import)', () => {
  it('reads the shape and views the data in place', () => {
    const bytes = imagesIdx(7);
    const { shape, data } = parseIdx(bytes, IDX_IMAGES);
    expect(shape).toEqual([7, 28, 28]);
    expect(data.buffer).toBe(bytes.buffer);
    for (const [i, j] of [[0, 0], [6, 783], [3, 100]]) expect(data[i * 784 + j]).toBe(pixel(i, j));
    expect(Array.from(parseIdx(labelsIdx(5), IDX_LABELS, 'labels').data)).toEqual([0, 1, 2, 3, 4].map(label));
  });

  it('says what it expected and what it found, as readIdx does', () => {
    expect(() => parseIdx(imagesIdx(10).subarray(0, 7000), IDX_IMAGES, 'f')).toThrow('f: truncated: expected 7856 bytes (16-byte header + 10×28×28 data), found 7000');
    expect(() => parseIdx(labelsIdx(3).subarray(0, 6), IDX_LABELS, 'f')).toThrow('f: truncated: expected a 8-byte IDX header, found 6 bytes');
    expect(() => parseIdx(new Uint8Array(2), IDX_LABELS)).toThrow('IDX data: truncated: expected a 8-byte IDX header, found 2 bytes');
    expect(() => parseIdx(Buffer.concat([labelsIdx(3), Buffer.alloc(2)]), IDX_LABELS, 'f')).toThrow('f: trailing bytes: expected 11 bytes (8-byte header + 3 data), found 13');
    expect(() => parseIdx(labelsIdx(5), IDX_IMAGES, 'f')).toThrow('f: wrong magic number: expected 0x00000803 (uint8 images, 3 dimensions), found 0x00000801');
  });
});

describe('readIdx', () => {
  for (const gzip of [false, true]) {
    it(`reads ${gzip ? 'gzip' : 'raw'} image and label files, across many stream chunks`, async () => {
      // 300 images = 235,200 bytes: several chunks of the file stream and of gunzip.
      const ext = gzip ? '.gz' : '';
      const images = await readIdx(write(`images${ext}`, gzip ? gzipSync(imagesIdx(300)) : imagesIdx(300)), IDX_IMAGES);
      const labels = await readIdx(write(`labels${ext}`, gzip ? gzipSync(labelsIdx(300)) : labelsIdx(300)), IDX_LABELS);
      expect(images.shape).toEqual([300, 28, 28]);
      expect(labels.shape).toEqual([300]);
      for (const [i, j] of [[0, 0], [0, 783], [150, 400], [299, 783]]) expect(images.data[i * 784 + j]).toBe(pixel(i, j));
      expect(Array.from(labels.data.subarray(295))).toEqual([295, 296, 297, 298, 299].map(label));
    });
  }

  it('names the file and the expected vs found size of a truncated file', async () => {
    const file = write('train-images-idx3-ubyte', imagesIdx(10).subarray(0, 7000));
    await expect(readIdx(file, IDX_IMAGES)).rejects.toThrow(`${file}: truncated: expected 7856 bytes (16-byte header + 10×28×28 data), found 7000`);
  });

  it('names the file of a truncated header', async () => {
    const file = write('labels', labelsIdx(3).subarray(0, 6));
    await expect(readIdx(file, IDX_LABELS)).rejects.toThrow(`${file}: truncated: expected a 8-byte IDX header, found 6 bytes`);
  });

  it('rejects trailing bytes after the data', async () => {
    const file = write('labels', Buffer.concat([labelsIdx(3), Buffer.from([1, 2])]));
    await expect(readIdx(file, IDX_LABELS)).rejects.toThrow(`${file}: trailing bytes: expected 11 bytes (8-byte header + 3 data), found 13`);
  });

  it('names the file of a truncated IDX inside a valid gzip stream', async () => {
    const file = write('t10k-labels-idx1-ubyte.gz', gzipSync(labelsIdx(100).subarray(0, 50)));
    await expect(readIdx(file, IDX_LABELS)).rejects.toThrow(`${file}: truncated: expected 108 bytes (8-byte header + 100 data), found 50`);
  });

  it('names the file of a cut-off gzip stream', async () => {
    const gz = gzipSync(imagesIdx(50));
    const file = write('train-images-idx3-ubyte.gz', gz.subarray(0, gz.length >> 1));
    await expect(readIdx(file, IDX_IMAGES)).rejects.toThrow(`${file}: gzip data is truncated or corrupt (unexpected end of file)`);
  });

  it('rejects a wrong magic number with the expected and found values', async () => {
    const file = write('train-images-idx3-ubyte', labelsIdx(5));
    await expect(readIdx(file, IDX_IMAGES)).rejects.toThrow(`${file}: wrong magic number: expected 0x00000803 (uint8 images, 3 dimensions), found 0x00000801`);
  });

  it('rejects a .gz file that is not gzip', async () => {
    const file = write('train-labels-idx1-ubyte.gz', labelsIdx(5));
    await expect(readIdx(file, IDX_LABELS)).rejects.toThrow(`${file}: not a gzip file: expected the gzip magic bytes 1f 8b, found 00 00`);
  });
});

describe('MNIST from a folder', () => {
  it("reads torchvision's layout root/MNIST/raw, both splits, gzip and raw", async () => {
    const root = tempDir();
    writeSplit(root, 'MNIST', 'train', imagesIdx(12), labelsIdx(12), true);
    writeSplit(root, 'MNIST', 't10k', imagesIdx(5), labelsIdx(5), false);
    const train = await new MNIST(root).ready;
    const test = await new MNIST(root, { train: false }).ready;
    expect([train.length, test.length]).toEqual([12, 5]);
    expect(train.data.shape).toEqual([12, 28, 28]);
    expect(train.data.dtype).toBe('uint8');
    expect(train.targets.dtype).toBe('int32');
    const [image, target] = test.getItem(4);
    expect(image.shape).toEqual([28, 28]);
    expect((await image.toArray())[100]).toBe(pixel(4, 100));
    expect(target).toBe(label(4));
    expect(train.classes[3]).toBe('3 - three');
  });

  it('prefers the uncompressed file when both are there', async () => {
    const root = tempDir();
    writeSplit(root, 'MNIST', 'train', imagesIdx(3), labelsIdx(3), false);
    writeSplit(root, 'MNIST', 'train', imagesIdx(4), labelsIdx(4), true);
    expect((await new MNIST(root).ready).length).toBe(3);
  });

  it('KMNIST reads root/KMNIST/raw', async () => {
    const root = tempDir();
    writeSplit(root, 'KMNIST', 't10k', imagesIdx(6), labelsIdx(6));
    const ds = await new KMNIST(root, { train: false }).ready;
    expect(ds.length).toBe(6);
    expect(ds.classes[0]).toBe('o');
  });

  it('raises an error naming both files when image and label counts disagree', async () => {
    const root = tempDir();
    const raw = writeSplit(root, 'MNIST', 'train', imagesIdx(10), labelsIdx(9));
    await expect(new MNIST(root).ready).rejects.toThrow(
      `train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz disagree: expected as many labels as images (10 images in ${join(raw, 'train-images-idx3-ubyte.gz')}), found 9 labels in ${join(raw, 'train-labels-idx1-ubyte.gz')}`,
    );
  });

  it('says where it looked and how to download when the files are missing, and raises it on use', async () => {
    const root = tempDir();
    const ds = new MNIST(root, { train: false });
    const message = `Dataset not found: MNIST test needs t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz) in one of: ${join(root, 'MNIST', 'raw')}. You can use download: true to download it.`;
    await expect(ds.ready).rejects.toThrow(message);
    expect(() => ds.length).toThrow(message);
  });

  it('says it is still loading when used before ready', async () => {
    const root = tempDir();
    writeSplit(root, 'MNIST', 'train', imagesIdx(2), labelsIdx(2));
    const ds = new MNIST(root);
    expect(() => ds.getItem(0)).toThrow('MNIST is still loading: `await dataset.ready` before using it');
    await ds.ready;
    expect(ds.getItem(1)[1]).toBe(label(1));
  });

  it('rejects an out-of-range index in PyTorch words', async () => {
    const root = tempDir();
    writeSplit(root, 'MNIST', 'train', imagesIdx(2), labelsIdx(2));
    const ds = await new MNIST(root).ready;
    expect(() => ds.getItem(2)).toThrow('index 2 is out of bounds for dimension 0 with size 2');
  });
});
