/** What the browser section (browser-bench.ts) measures, as report.ts writes it. */
import type { Stat } from './stats.ts';

/** The reference every ratio is against: the peer. */
export const TFJS_WEBGPU = 'TensorFlow.js webgpu';

/** One contender over the rounds. */
export interface BrowserRow {
  name: string;
  /** The first step, pipeline compilation included, seconds. */
  first: Stat;
  /** Median step after the first, seconds (median over rounds of each page's median). */
  step: Stat;
  /** TensorFlow.js webgpu's time over this one's, round by round (above 1: this one is faster). */
  firstRatio?: Stat;
  stepRatio?: Stat;
  backend: string;
  tuner?: string;
}

export interface BrowserResult {
  chromium: string;
  steps: number;
  batchSize: number;
  rows: BrowserRow[];
  /** Losses of the first round's pages (both start near ln 10 = 2.30 and fall). */
  losses: Record<string, number[]>;
}

