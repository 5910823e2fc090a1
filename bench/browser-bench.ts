/**
 * The browser section of `pnpm bench`: the ThreeNet step in headless Chromium (Debian's, as
 * `pnpm test:browser` starts it; with no GPU its WebGPU adapter is SwiftShader), mini's page
 * (bench/browser/mini.ts: the demo's data and the seed's loop) beside TensorFlow.js's
 * (bench/browser/tfjs.ts) on the same model, paired round by round. The pages are built with Vite
 * and served by Vite's preview server; each page load is a fresh Chromium with a fresh profile
 * (nothing compiled before), except mini's second visit, which reuses the first one's profile
 * (its IndexedDB and Chromium's shader cache), as a returning user's browser would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { build, preview, type PreviewServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.ts';
import { makeSample } from '../examples/threenet-web/make-sample.ts';
import type { PageResult } from './browser/result.ts';
import { TFJS_WEBGPU, type BrowserResult, type BrowserRow } from './browser-result.ts';
import { stat } from './stats.ts';

const CONFIG = new URL('./browser/vite.config.ts', import.meta.url).pathname;

/** One page's figures in one round. */
interface PageFigures {
  first: number;
  /** Median of the steps after the first. */
  step: number;
  backend: string;
  tuner?: string;
  losses: number[];
}

interface Contender {
  name: string;
  page: string;
  /** Another contender whose profile this one's load reuses (a second visit). */
  after?: string;
}

const median = (values: number[]) => stat(values).median;

async function loadPage(url: string, profile: string): Promise<PageResult & { chromium: string }> {
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    const handle = await page.waitForFunction(() => (globalThis as { benchResult?: unknown }).benchResult, null, { timeout: 600_000, polling: 500 });
    const result = (await handle.jsonValue()) as PageResult;
    if (result.error || errors.length) throw new Error(`${url}: ${result.error ?? errors.join('; ')}`);
    return { ...result, chromium: context.browser()?.version() ?? 'unknown' };
  } finally {
    await context.close();
  }
}

/**
 * `runs` rounds of: mini's first visit, its second visit (same profile), TensorFlow.js webgpu
 * (and its cpu backend unless quick), each `steps` steps of batch 256.
 */
export async function benchBrowser(runs: number, quick: boolean, peers: boolean, log: (line: string) => void): Promise<BrowserResult> {
  await makeSample();
  await build({ configFile: CONFIG, logLevel: 'warn' });
  const server: PreviewServer = await preview({ configFile: CONFIG, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1' } });
  const base = server.resolvedUrls!.local[0];
  const steps = quick ? 4 : 8;
  const contenders: Contender[] = [
    { name: 'mini, first visit', page: `mini.html?steps=${steps}` },
    { name: 'mini, second visit', page: `mini.html?steps=${steps}`, after: 'mini, first visit' },
  ];
  if (peers) contenders.push({ name: TFJS_WEBGPU, page: `tfjs.html?backend=webgpu&steps=${steps}` });
  if (peers && !quick) contenders.push({ name: 'TensorFlow.js cpu', page: `tfjs.html?backend=cpu&steps=${steps}` });
  const taken = new Map<string, PageFigures[]>(contenders.map((c) => [c.name, []]));
  let version = 'unknown';
  const losses: Record<string, number[]> = {};
  try {
    for (let round = 0; round < runs; round++) {
      const profiles = new Map<string, string>();
      for (const c of contenders) {
        const profile = c.after ? profiles.get(c.after)! : mkdtempSync(join(tmpdir(), 'mini-bench-chromium-'));
        profiles.set(c.name, profile);
        const r = await loadPage(new URL(c.page, base).toString(), profile);
        version = r.chromium;
        const figures = { first: r.stepSeconds[0], step: median(r.stepSeconds.slice(1)), backend: r.backend, tuner: r.tuner, losses: r.losses };
        taken.get(c.name)!.push(figures);
        if (round === 0) losses[c.name] = r.losses;
        log(`  round ${round + 1}: ${c.name}: first step ${figures.first.toFixed(2)} s, then ${figures.step.toFixed(3)} s per step${r.tuner ? ` (${r.tuner})` : ''}`);
      }
      for (const profile of new Set(profiles.values())) rmSync(profile, { recursive: true, force: true });
    }
  } finally {
    await server.close();
  }
  const reference = taken.get(TFJS_WEBGPU);
  const rows = contenders.map((c): BrowserRow => {
    const f = taken.get(c.name)!;
    const ratio = (pick: (p: PageFigures) => number) => (reference && c.name !== TFJS_WEBGPU ? stat(f.map((p, i) => pick(reference[i]) / pick(p))) : undefined);
    return { name: c.name, first: stat(f.map((p) => p.first)), step: stat(f.map((p) => p.step)), firstRatio: ratio((p) => p.first), stepRatio: ratio((p) => p.step), backend: f[0].backend, tuner: f.at(-1)!.tuner };
  });
  return { chromium: version, steps, batchSize: 256, rows, losses };
}
