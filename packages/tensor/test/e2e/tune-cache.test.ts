/**
 * The matmul tuner's cache in a web page (IndexedDB, src/tune/store-web.ts), across real page
 * loads in headless Chromium (`pnpm test:browser`, project e2e): the first load of
 * tune-page/ tunes its product's shape class and stores the choice; the second load, in the same
 * browser profile, finds it and tunes nothing; a corrupt record is a warning, the page tunes in
 * memory and rewrites it; a page without IndexedDB warns and tunes in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../../scripts/chromium.ts';
import type { TuneResult } from './tune-page/result.ts';

const ROOT = new URL('./tune-page/', import.meta.url).pathname;
let server: ViteDevServer;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  server = await createServer({ root: ROOT, configFile: false, logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  profile = mkdtempSync(join(tmpdir(), 'mini-tune-cache-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Loads the page in a new tab of the one profile; its result and the warnings it printed. */
async function load(query = ''): Promise<{ result: TuneResult; warnings: string[] }> {
  const page = await context.newPage();
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  try {
    await page.goto(`${server.resolvedUrls!.local[0]}${query}`);
    const handle = await page.waitForFunction(() => (globalThis as { tuneResult?: unknown }).tuneResult, null, { timeout: 240_000, polling: 200 });
    const result = (await handle.jsonValue()) as TuneResult;
    expect(result.error).toBeUndefined();
    expect(result.productError).toBeLessThan(1e-4);
    return { result, warnings };
  } finally {
    await page.close();
  }
}

describe('the tuning cache in a web page (IndexedDB)', () => {
  let first: TuneResult;
  it('the first page load tunes the product’s class and stores the choice', async () => {
    const { result, warnings } = await load();
    first = result;
    expect(result.where).toBe('IndexedDB mini/tuning/matmul-tune.json');
    expect(result.tuned).toEqual(['aK4.bN4 64x32x64']);
    expect(Object.keys(result.kernels)).toEqual(['aK4.bN4 64x32x64']);
    expect(warnings).toEqual([]);
  });

  it('a second page load finds the stored choice and tunes nothing', async () => {
    const { result } = await load();
    expect(result.tuned).toEqual([]);
    expect(result.kernels).toEqual(first.kernels);
  });

  it('a corrupt stored cache is a warning: the page tunes afresh and rewrites it', async () => {
    const corrupt = await load('?corrupt=1');
    expect(corrupt.warnings.join('\n')).toMatch(/ignoring the matmul tuning cache in IndexedDB mini\/tuning\/matmul-tune.json, which is not one/);
    expect(corrupt.result.tuned).toEqual(['aK4.bN4 64x32x64']);
    const after = await load();
    expect(after.result.tuned).toEqual([]);
    expect(after.result.kernels).toEqual(corrupt.result.kernels);
  });

  it('without IndexedDB the page warns once and tunes in memory', async () => {
    const { result, warnings } = await load('?no-indexeddb=1');
    expect(warnings).toEqual([expect.stringMatching(/cannot read the matmul tuning cache from IndexedDB .*this page has no indexedDB.*tuning in memory/)]);
    expect(result.where).toBe('memory');
    expect(result.tuned).toEqual(['aK4.bN4 64x32x64']);
  });
});
