/**
 * What a bench page leaves in `window.benchResult` for bench/browser-bench.ts (which runs in Node):
 * the seconds of each step (the first includes pipeline compilation), or the error.
 */
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

