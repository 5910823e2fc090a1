import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { downloadResources, MNIST, type Resource } from '@mini/data/node';
import { imagesIdx, label, labelsIdx, pixel, tempDir } from './idx-files.ts';

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/** Small generated IDX files, under torchvision's names. */
const files = new Map<string, Buffer>([
  ['train-images-idx3-ubyte.gz', gzipSync(imagesIdx(20))],
  ['train-labels-idx1-ubyte.gz', gzipSync(labelsIdx(20))],
  ['t10k-images-idx3-ubyte.gz', gzipSync(imagesIdx(7))],
  ['t10k-labels-idx1-ubyte.gz', gzipSync(labelsIdx(7))],
]);
const resources: Resource[] = [...files].map(([name, bytes]) => [name, md5(bytes)]);

/** The file with its last byte flipped. */
function corrupted(name: string): Buffer {
  const bytes = Buffer.from(files.get(name)!);
  bytes[bytes.length - 1] ^= 0xff;
  return bytes;
}

/** Serves /good/<file>, /bad/<file> (one byte flipped: an MD5 mismatch), /moved/<file> (302 to good); anything else is a 404. */
let server: Server;
let base: string;
let closedPort: number;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const [, kind, name] = req.url!.split('/');
    const body = files.get(name);
    if (!body || !['good', 'bad', 'moved'].includes(kind)) {
      res.writeHead(404).end('not here');
    } else if (kind === 'moved') {
      res.writeHead(302, { location: `/good/${name}` }).end();
    } else {
      const sent = kind === 'bad' ? corrupted(name) : body;
      res.writeHead(200, { 'content-length': sent.length }).end(sent);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was open a moment ago and now refuses connections: what an offline mirror looks like.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

function capture(isTTY = true): { write(text: string): boolean; isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  return { write: (t: string) => chunks.push(t) > 0, isTTY, text: () => chunks.join('') };
}

describe('downloadResources against a local HTTP server', () => {
  it('skips a 404 and a corrupted mirror, verifies the MD5, and renames into place', async () => {
    const folder = tempDir();
    const progress = capture();
    const mirrors = [`${base}/missing/`, `${base}/bad/`, `${base}/good/`];
    await downloadResources({ mirrors, resources: resources.slice(0, 1), folder, progress });
    const [name, hash] = resources[0];
    expect(md5(readFileSync(join(folder, name)))).toBe(hash);
    expect(readdirSync(folder)).toEqual([name]);
    const log = progress.text();
    expect(log).toContain(`Failed to download ${base}/missing/${name} (HTTP 404 Not Found)`);
    expect(log).toContain(`Failed to download ${base}/bad/${name} (MD5 mismatch: expected ${hash}, found ${md5(corrupted(name))})`);
    expect(log).toMatch(/\rtrain-images-idx3-ubyte\.gz \[#{30}\] 100% /);
  });

  it('draws the progress bar only on a terminal: a log file gets one line per file, no \\r redraws', async () => {
    const log = capture(false);
    await downloadResources({ mirrors: [`${base}/good/`], resources: resources.slice(0, 1), folder: tempDir(), progress: log });
    expect(log.text()).not.toContain('\r');
    expect(log.text()).toMatch(/^train-images-idx3-ubyte\.gz \[#{30}\] 100% [\d.]+\/[\d.]+ MB$/m);
  });

  it('follows redirects', async () => {
    const folder = tempDir();
    await downloadResources({ mirrors: [`${base}/moved/`], resources: resources.slice(1, 2), folder, progress: capture() });
    expect(existsSync(join(folder, resources[1][0]))).toBe(true);
  });

  it('does not fetch a file that is already there', async () => {
    const folder = tempDir();
    await downloadResources({ mirrors: [`${base}/good/`], resources: resources.slice(0, 1), folder, progress: capture() });
    const before = requests.length;
    await downloadResources({ mirrors: [`${base}/good/`], resources: resources.slice(0, 1), folder, progress: capture() });
    expect(requests.length).toBe(before);
  });

  it('offline: lists every URL tried with its reason and where to put the files by hand', async () => {
    const folder = tempDir();
    const mirrors = [`http://127.0.0.1:${closedPort}/`, `${base}/missing/`, `${base}/bad/`];
    const name = resources[2][0];
    const error = await downloadResources({ mirrors, resources, folder, progress: capture() }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toContain(`Error downloading train-images-idx3-ubyte.gz: every mirror failed:`);
    expect(error?.message).toContain(`  http://127.0.0.1:${closedPort}/train-images-idx3-ubyte.gz: connect ECONNREFUSED`);
    expect(error?.message).toContain(`  ${base}/missing/train-images-idx3-ubyte.gz: HTTP 404 Not Found`);
    expect(error?.message).toContain(`  ${base}/bad/train-images-idx3-ubyte.gz: MD5 mismatch: expected ${resources[0][1]}`);
    expect(error?.message).toContain(
      `Download the files by hand (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, ${name}, t10k-labels-idx1-ubyte.gz) and put them in ${folder}`,
    );
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('MNIST(root, {download: true})', () => {
  /** A dataset class like torchvision's subclasses: its own folder, mirrors and resources. */
  class LocalMNIST extends MNIST {
    static override folder = 'LocalMNIST';
    static override resources = resources;
  }

  it('downloads all four files once into root/<folder>/raw, with a progress bar on stderr, then loads', async () => {
    LocalMNIST.mirrors = [`${base}/missing/`, `${base}/good/`];
    const root = tempDir();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = requests.length;
    let written = '';
    try {
      // Train and test together share each file's download.
      const [train, test] = await Promise.all([new LocalMNIST(root, { download: true }).ready, new LocalMNIST(root, { train: false, download: true }).ready]);
      expect([train.length, test.length]).toEqual([20, 7]);
      expect((await test.getItem(6)[0].toArray())[5]).toBe(pixel(6, 5));
      expect(train.getItem(19)[1]).toBe(label(19));
    } finally {
      written = stderr.mock.calls.map(([text]) => String(text)).join('');
      stderr.mockRestore();
    }
    expect(readdirSync(join(root, 'LocalMNIST', 'raw')).sort()).toEqual([...files.keys()].sort());
    expect(requests.slice(before).filter((r) => r.startsWith('/good/')).length).toBe(4);
    // The test's stderr is not a terminal: no redraws.
    expect(written).not.toContain('\r');
    expect(written).toMatch(/^t10k-labels-idx1-ubyte\.gz \[#{30}\] 100% /m);
    const again = requests.length;
    await new LocalMNIST(root, { download: true }).ready;
    expect(requests.length).toBe(again);
  });

  it('fails with the URLs tried when no mirror has the files', async () => {
    LocalMNIST.mirrors = [`http://127.0.0.1:${closedPort}/`];
    const root = tempDir();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(new LocalMNIST(root, { download: true }).ready).rejects.toThrow(
        `  http://127.0.0.1:${closedPort}/train-images-idx3-ubyte.gz: connect ECONNREFUSED`,
      );
    } finally {
      stderr.mockRestore();
    }
  });
});
