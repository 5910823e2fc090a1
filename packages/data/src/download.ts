import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Resource } from './mnist-family.ts';
import { ProgressBar, type ProgressSink } from './progress.ts';

export type { Resource } from './mnist-family.ts';

/** What downloadResources fetches, from where, and into which folder. */
export interface DownloadOptions {
  /** Base URLs tried in order; each file's URL is mirror + filename. */
  mirrors: readonly string[];
  /** The files to fetch, each with the MD5 it must have. */
  resources: readonly Resource[];
  /** Where the files go. */
  folder: string;
  /** Where the progress bar and messages go (process.stderr by default). */
  progress?: ProgressSink;
  /** Seconds without data before a connection is given up. */
  timeoutSeconds?: number;
}

const MAX_REDIRECTS = 5;
const inFlight = new Map<string, Promise<void>>();

/**
 * Fetches every resource that is not in `folder` yet, trying the mirrors in order. Each file is
 * checked against its MD5, written under a temporary name and renamed into place, so an
 * interrupted download never leaves a file that looks complete. When every mirror fails, the
 * error lists each URL tried with its reason, and says where to put the files by hand.
 */
export async function downloadResources(options: DownloadOptions): Promise<void> {
  await mkdir(options.folder, { recursive: true });
  for (const resource of options.resources) {
    const target = join(options.folder, resource[0]);
    if (existsSync(target)) continue;
    // Two datasets constructed together (train and test) share one download of each file.
    let pending = inFlight.get(target);
    if (!pending) {
      pending = downloadOne(resource, target, options).finally(() => inFlight.delete(target));
      inFlight.set(target, pending);
    }
    await pending;
  }
}

async function downloadOne([filename, md5]: Resource, target: string, options: DownloadOptions): Promise<void> {
  const sink = options.progress ?? process.stderr;
  const failures: string[] = [];
  for (const mirror of options.mirrors) {
    const url = `${mirror}${filename}`;
    sink.write(`Downloading ${url}\n`);
    try {
      await fetchVerified(url, target, md5, sink, (options.timeoutSeconds ?? 30) * 1000);
      return;
    } catch (error) {
      failures.push(`  ${url}: ${(error as Error).message}`);
      sink.write(`Failed to download ${url} (${(error as Error).message}); trying the next mirror\n`);
    }
  }
  const names = options.resources.map(([name]) => name).join(', ');
  throw new Error(
    `Error downloading ${filename}: every mirror failed:\n${failures.join('\n')}\n` +
      `Download the files by hand (${names}) and put them in ${options.folder}`,
  );
}

async function fetchVerified(url: string, target: string, md5: string, sink: ProgressSink, timeoutMs: number): Promise<void> {
  const response = await get(url, timeoutMs);
  const total = Number(response.headers['content-length']) || null;
  const bar = new ProgressBar(sink, url.slice(url.lastIndexOf('/') + 1), total);
  const hash = createHash('md5');
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  let done = 0;
  response.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bar.update((done += chunk.length));
  });
  try {
    await pipeline(response, createWriteStream(temp));
    bar.finish();
    const found = hash.digest('hex');
    if (found !== md5) throw new Error(`MD5 mismatch: expected ${md5}, found ${found}`);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** A 200 response for url, following redirects; other statuses and network errors reject. */
function get(url: string, timeoutMs: number, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.get(url, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
        else get(new URL(location, url).toString(), timeoutMs, redirects + 1).then(resolve, reject);
      } else if (status !== 200) {
        response.resume();
        reject(new Error(`HTTP ${status} ${response.statusMessage ?? ''}`.trimEnd()));
      } else {
        resolve(response);
      }
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no data for ${timeoutMs / 1000} s`)));
    request.on('error', reject);
  });
}
