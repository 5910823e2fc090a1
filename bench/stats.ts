/** A figure from repeated runs: the median, with the spread. */
export interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function stat(samples: readonly number[]): Stat {
  if (samples.length === 0) throw new Error('stat: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/** Maps every sample (e.g. seconds to a rate); order flips for decreasing maps, which stat() handles. */
export function mapStat(s: Stat, f: (v: number) => number): Stat {
  const [a, b] = [f(s.min), f(s.max)];
  return { median: f(s.median), min: Math.min(a, b), max: Math.max(a, b), runs: s.runs };
}

function digits(v: number): number {
  const a = Math.abs(v);
  return a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
}

export function num(v: number, d = digits(v)): string {
  return v.toFixed(d);
}

/** "12.3 (11.9–12.8)": median (min–max). */
export function fmt(s: Stat): string {
  const d = digits(s.median);
  return `${num(s.median, d)} (${num(s.min, d)}–${num(s.max, d)})`;
}

/** Runs fn `runs` times (after `warmup` untimed runs) and returns each run's seconds. */
export async function timeRuns(runs: number, fn: () => Promise<void> | void, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    seconds.push((performance.now() - t0) / 1000);
  }
  return seconds;
}
