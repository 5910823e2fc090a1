/**
 * What both bench pages read from their URL (?steps=N&batchSize=256&lr=0.01) and what they leave
 * in `window.benchResult` for bench/browser-bench.ts: one figure per page load.
 */

/** The page's outcome: seconds of each step (the first includes pipeline compilation), or the error. */
export interface PageResult {
  library: string;
  /** Backend and adapter, as the library reports them. */
  backend: string;
  stepSeconds: number[];
  losses: number[];
  /** Seconds from the page's start (module evaluated) to the first step's start: library init and data. */
  setupSeconds: number;
  /** mini only: what the matmul tuner did in this page. */
  tuner?: string;
  error?: string;
}

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
