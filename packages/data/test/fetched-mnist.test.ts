import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchIdx, IDX_IMAGES, IDX_LABELS, Md5 } from '@mini/data';
import { fetchedMNISTCases } from './fetched-mnist-cases.ts';
import { imagesIdx } from './idx-files.ts';

const FIXTURES = new URL('./fixtures/idx/', import.meta.url);

/**
 * Serves test/fixtures/idx/ at /idx/, and at /encoded/ with Content-Encoding: gzip (as Vite's dev
 * server does: fetch inflates such a body), a plain (not gzip) file at /plain.gz, 404 otherwise.
 */
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const [, folder, name] = req.url!.split('/');
    const fixture = ['idx', 'encoded'].includes(folder) && /^[\w.-]+\.gz$/.test(name ?? '');
    const body = req.url === '/plain.gz' ? imagesIdx(2) : fixture ? readFileSync(new URL(name, FIXTURES)) : null;
    const encoding = folder === 'encoded' ? { 'content-encoding': 'gzip' } : {};
    if (!body) res.writeHead(404, 'Not Found').end('not here');
    else res.writeHead(200, { 'content-length': body.length, ...encoding }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('FetchedMNIST in Node (fetch + DecompressionStream) against a local HTTP server', () => {
  fetchedMNISTCases(() => `${base}/idx/`);

  it('refuses a .gz file that is not gzip, and an IDX file of the wrong kind', async () => {
    await expect(fetchIdx(`${base}/plain.gz`, IDX_IMAGES)).rejects.toThrow(`${base}/plain.gz: not a gzip file: expected the gzip magic bytes 1f 8b, found 00 00`);
    await expect(fetchIdx(`${base}/idx/train-images-idx3-ubyte.gz`, IDX_LABELS)).rejects.toThrow('wrong magic number: expected 0x00000801');
  });

  it('refuses, saying how to serve it, a .gz file that fetch inflated because of its Content-Encoding', async () => {
    await expect(fetchIdx(`${base}/encoded/train-labels-idx1-ubyte.gz`, IDX_LABELS, { md5: '0'.repeat(32) })).rejects.toThrow(
      `${base}/encoded/train-labels-idx1-ubyte.gz: the server sent this gzip file with Content-Encoding: gzip, so fetch inflated it and its MD5 cannot be checked; serve .gz files as they are`,
    );
  });
});

describe('Md5', () => {
  it("agrees with node:crypto's MD5 on every length around the 64-byte block, fed in uneven chunks", () => {
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 127, 128, 1000, 65537]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
      const hash = new Md5();
      for (let i = 0; i < n; i += 37) hash.update(data.subarray(i, i + 37));
      expect(hash.hex(), `length ${n}`).toBe(createHash('md5').update(data).digest('hex'));
    }
    expect(new Md5().update(new TextEncoder().encode('abc')).hex()).toBe('900150983cd24fb0d6963f7d28e17f72'); // RFC 1321
  });
});
