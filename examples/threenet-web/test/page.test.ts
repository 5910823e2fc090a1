/**
 * The ThreeNet page end to end, in headless Chromium (`pnpm test:browser`, project e2e): served
 * by Vite, it loads the sample, trains when Start is pressed (pausing and resuming on the way),
 * its loss falls, and the best.safetensors it offers, loaded in Node, gives the test accuracy the
 * page showed. A screenshot of the page after training goes to out/threenet-web/page.png.
 */
/// <reference lib="dom" />
import { mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright';
import { createServer, type ViteDevServer } from 'vite';
import { deserialize } from '@mini/nn';
import { Compose, DataLoader, Grayscale, Normalize, ToTensor } from '@mini/data';
import { MNISTSample } from '@mini/mnist-sample';
import { readMNISTSample } from '@mini/mnist-sample/node';
import { init } from '@mini/tensor';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../scripts/chromium.ts';
import { makeSample } from '../make-sample.ts';
import { computeAccuracy, NNModule } from '@mini/example-threenet/training';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = new URL('../../../out/threenet-web/', import.meta.url).pathname;
// small, for SwiftShader: 3 epochs of 6 batches of 64, the training accuracy after each
const SETTINGS = { epochs: 3, batchSize: 64, steps: 6, evalEvery: 1, lr: 0.05 };

let server: ViteDevServer;
let browser: Browser;
let page: Page;
beforeAll(async () => {
  await makeSample();
  server = await createServer({ root: ROOT, configFile: `${ROOT}vite.config.ts`, logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const status = (name: string) => page.locator('#status').getAttribute(`data-${name}`);

describe('examples/threenet-web', () => {
  it('trains ThreeNet when Start is pressed, pauses and resumes, and its loss falls', async () => {
    const query = new URLSearchParams(Object.entries(SETTINGS).map(([k, v]): [string, string] => [k, String(v)]));
    await page.goto(`${server.resolvedUrls!.local[0]}?${query}`);
    await page.locator('#start:enabled').waitFor({ timeout: 120_000 });
    await expect(page.locator('#device').textContent()).resolves.toMatch(/^device: webgpu, adapter .+; features: /);
    await expect(page.locator('#status').textContent()).resolves.toBe('data: 8000 training and 2000 test images; press Start');

    // Pause is pressed from inside the page the moment a step shows: on a fast machine the whole
    // run can finish between two of Playwright's polls (CI once never saw 'step 1/6').
    await page.evaluate(() => {
      const shown = document.querySelector('#status')!;
      const observer = new MutationObserver(() => {
        if (!/^epoch \d+\/\d+, step [1-9]/.test(shown.textContent ?? '')) return;
        observer.disconnect();
        document.querySelector<HTMLButtonElement>('#pause')!.click();
      });
      observer.observe(shown, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#start');
    await page.locator('#status', { hasText: /^(paused at|done|error)/ }).waitFor({ timeout: 120_000 });
    const paused = await page.locator('#status').textContent();
    expect(paused).toMatch(/^paused at 1\/3, step [1-9]/);
    await page.waitForTimeout(1500);
    expect(await page.locator('#status').textContent()).toBe(paused);
    await expect(page.locator('#pause').textContent()).resolves.toBe('Resume');
    await page.click('#pause');

    await page.locator('#status[data-done="true"]').waitFor({ timeout: 600_000 });
    const [first, last] = [Number(await status('first-loss')), Number(await status('last-epoch-loss'))];
    expect(first).toBeGreaterThan(2);
    expect(last).toBeLessThan(first);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}page.png`, fullPage: true });
  });

  it('offers best.safetensors, which in Node gives the test accuracy the page showed, and metrics.csv', async () => {
    const pageAccuracy = Number(await status('test-accuracy'));
    expect(pageAccuracy).toBeGreaterThan(0.2);
    const [best] = await Promise.all([page.waitForEvent('download'), page.click('#download-best')]);
    expect(best.suggestedFilename()).toBe('best.safetensors');
    const { tensors, metadata } = deserialize(readFileSync(await best.path()), { file: 'best.safetensors' });
    expect(metadata).toEqual({ format: 'pt', writer: 'examples/threenet-web' });

    const gpu = await init('webgpu');
    const module = new NNModule();
    expect(module.loadStateDict(tensors)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    module.to(gpu);
    const transform = Compose([Grayscale(), ToTensor(), Normalize([0.5], [0.5])]);
    const test = new DataLoader(new MNISTSample(readMNISTSample(), { train: false, transform }), { batchSize: SETTINGS.batchSize, device: gpu });
    const nodeAccuracy = await computeAccuracy(module, test);
    // The same predictions on SwiftShader and lavapipe, but for a near-tie: at most one image of
    // the smallest batch (the last, 2000 - 31·64 = 16 images) in the mean of 32 batch accuracies.
    expect(Math.abs(nodeAccuracy - pageAccuracy), `node ${nodeAccuracy}, page ${pageAccuracy}`).toBeLessThanOrEqual(1 / 16 / 32);

    const [metrics] = await Promise.all([page.waitForEvent('download'), page.click('#download-metrics')]);
    const rows = readFileSync(await metrics.path(), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('epoch,step,loss,train_accuracy,seconds');
    expect(rows).toHaveLength(1 + 2 * SETTINGS.epochs); // a row per epoch, and one per evaluation
  });
});
