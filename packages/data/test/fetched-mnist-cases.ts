/**
 * The checks of FetchedMNIST that need only a server holding test/fixtures/idx/ (written by
 * tools/write-idx-fixtures.ts): run in Node against a local HTTP server (fetched-mnist.test.ts)
 * and in a page against the test server (browser/fetched-mnist.test.ts).
 */
import { expect, it } from 'vitest';
import { FetchedMNIST, type FetchProgress, type Resource } from '@mini/data';
import resources from './fixtures/idx/resources.json';
import { label, pixel } from './idx-pattern.ts';

const RESOURCES = resources as unknown as Resource[];

/** Declares the shared cases; `base()` is the URL of a folder holding the fixture files. */
export function fetchedMNISTCases(base: () => string): void {
  it('fetches both splits, checks their MD5s, inflates and parses them, reporting progress', async () => {
    const progress: FetchProgress[] = [];
    const [train, test] = await Promise.all([
      new FetchedMNIST(base(), { resources: RESOURCES, onProgress: (p) => progress.push(p) }).ready,
      new FetchedMNIST(base(), { resources: RESOURCES, train: false }).ready,
    ]);
    expect([train.length, test.length]).toEqual([20, 7]);
    expect(train.classes).toHaveLength(10);
    expect((await test.getItem(6)[0].toArray())[5]).toBe(pixel(6, 5));
    expect(train.getItem(19)[1]).toBe(label(19));
    const images = progress.filter((p) => p.url.endsWith('train-images-idx3-ubyte.gz'));
    expect(images.at(-1)).toEqual({ url: `${base()}train-images-idx3-ubyte.gz`, loaded: 525, total: 525 });
  });

  it('refuses a file whose MD5 is not the one given, naming both', async () => {
    const wrong: Resource[] = RESOURCES.map(([name, md5], i) => [name, i === 0 ? '0'.repeat(32) : md5]);
    await expect(new FetchedMNIST(base(), { resources: wrong }).ready).rejects.toThrow(
      `${base()}train-images-idx3-ubyte.gz: MD5 mismatch: expected ${'0'.repeat(32)}, found ${RESOURCES[0][1]}`,
    );
  });

  it('says which URL was missing', async () => {
    // the images and the labels are fetched together: either may be the first to fail
    const error = await new FetchedMNIST(`${base()}missing/`, { resources: RESOURCES }).ready.then(() => null, (e: Error) => e);
    expect(error?.message).toMatch(new RegExp(`^${base().replace(/[.?]/g, '\\$&')}missing/train-(images-idx3|labels-idx1)-ubyte\\.gz: HTTP 404`));
  });
}
