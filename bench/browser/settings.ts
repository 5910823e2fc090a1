/**
 * What both bench pages read from their URL (?steps=N&batchSize=256&lr=0.01) and what they leave
 * in `window.benchResult` for bench/browser-bench.ts: one figure per page load.
 */
import type { PageResult } from './result.ts';

const params = new URLSearchParams(location.search);
const number = (name: string, fallback: number) => (params.has(name) ? Number(params.get(name)) : fallback);

/** The run's settings: the ThreeNet step (batch 256, SGD lr 0.01), `steps` of them. */
export const settings = { steps: number('steps', 8), batchSize: number('batchSize', 256), lr: number('lr', 1e-2) };

/** Publishes the page's outcome for the driver. */
export function report(result: PageResult): void {
  (window as unknown as { benchResult: PageResult }).benchResult = result;
}

/** Runs the page's body, reporting a throw as the outcome's error. */
export function runPage(library: string, body: () => Promise<PageResult>): void {
  body().then(report, (error: Error) => report({ library, backend: '', stepSeconds: [], losses: [], setupSeconds: 0, error: `${error.message}\n${error.stack ?? ''}` }));
}
