import { describe, expect, it } from 'vitest';
import { FashionMNIST } from '@mini/data/node';
import { imagesIdx, labelsIdx, tempDir, writeSplit } from './idx-files.ts';

/**
 * Fashion-MNIST as Debian's dataset-fashion-mnist installs it (/usr/share/datasets/fashion-mnist),
 * which CI installs. Expected values were read with python3 straight from the .gz files (gzip +
 * numpy.frombuffer past the 8/16-byte headers): label counts, first and last labels, the byte sum
 * of the first and last image, and bytes 12..15 of row 14 of the first image.
 */
const EXPECTED = {
  train: { count: 60000, first: [9, 0, 0], last: [3, 0, 5], sumFirst: 76247, sumLast: 16684, row14: [237, 226, 217, 223] },
  test: { count: 10000, first: [9, 2, 1], last: [8, 1, 5], sumFirst: 33456, sumLast: 24390, row14: [98, 136, 110, 109] },
};

describe("FashionMNIST from Debian's dataset-fashion-mnist", () => {
  for (const split of ['train', 'test'] as const) {
    it(`finds the ${split} split in /usr/share/datasets/fashion-mnist when root has none`, async () => {
      const ds = await new FashionMNIST(tempDir(), { train: split === 'train' }).ready;
      const want = EXPECTED[split];
      const labels = ds.targets.storage.array;
      expect(ds.length).toBe(want.count);
      expect(ds.data.shape).toEqual([want.count, 28, 28]);
      expect(Array.from(labels.subarray(0, 3))).toEqual(want.first);
      expect(Array.from(labels.subarray(want.count - 3))).toEqual(want.last);
      const sum = (i: number) => Array.from(ds.getItem(i)[0].storage.array).reduce((a, b) => a + b, 0);
      expect([sum(0), sum(want.count - 1)]).toEqual([want.sumFirst, want.sumLast]);
      expect(Array.from(ds.data.storage.array.subarray(14 * 28 + 12, 14 * 28 + 16))).toEqual(want.row14);
      expect(ds.classes[labels[0]]).toBe('Ankle boot');
    });
  }

  it('prefers root/FashionMNIST/raw over the system folder', async () => {
    const root = tempDir();
    writeSplit(root, 'FashionMNIST', 't10k', imagesIdx(4), labelsIdx(4));
    expect((await new FashionMNIST(root, { train: false }).ready).length).toBe(4);
  });
});
