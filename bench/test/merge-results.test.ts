import { describe, expect, it } from 'vitest';
import { mergeResults } from '../merge-results.ts';
import { markdown, TARGETS_HEADING, type Results } from '../report.ts';
import { stat } from '../stats.ts';

const info = {
  name: 'vm',
  machine: 'AMD EPYC × 2 cores, 24 GiB, Linux 6.18',
  adapter: 'llvmpipe (Dawn backend vulkan, subgroups 8–8)',
  node: 'v20.20.2',
  date: '2026-12-02T01:00:00Z',
  command: 'pnpm bench --only browser',
  load: 2.25,
};
const NOTES = '## Notes: fixed\nnote text\n';

const existing = [
  '# Benchmarks',
  '',
  '- Command: `pnpm bench`',
  '',
  TARGETS_HEADING,
  '',
  '| target | measured |  |',
  '| --- | --- | --- |',
  '| matmul target | 17 % | NOT met |',
  "| browser (first visit): mini's first step faster than TensorFlow.js webgpu's | 0.50× (its time / ours) | NOT met |",
  '',
  '## Matmul',
  '',
  'old matmul table',
  '',
  '## Notes: fixed',
  'old note text',
  '',
].join('\n');

const row = (name: string, first: number, step: number, ratios: boolean) => ({
  name,
  first: stat([first]),
  step: stat([step]),
  ...(ratios ? { firstRatio: stat([3 / first]), stepRatio: stat([0.5 / step]) } : {}),
  backend: 'webgpu: google / swiftshader, subgroups 4-4',
});
const browser: Results = {
  info,
  runs: 1,
  browser: {
    chromium: '156.0',
    steps: 8,
    batchSize: 256,
    rows: [row('mini, first visit', 1.5, 0.4, true), row('TensorFlow.js webgpu', 3, 0.5, false)],
    losses: {},
  },
};

describe('mergeResults: a --only run updates RESULTS.md', () => {
  const merged = mergeResults(existing, markdown(browser, NOTES), info, '## Notes: fixed');

  it('keeps the sections it did not measure, adds its own before the notes, and takes the current notes', () => {
    expect(merged).toContain('old matmul table');
    const order = ['## Targets', '## Matmul', '## Browser: a ThreeNet training step', '## Notes: fixed'].map((h) => merged.indexOf(h));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]))).toBe(true);
    expect(merged).toContain('note text');
    expect(merged).not.toContain('old note text');
    expect(merged.match(/^## Notes/gm)).toHaveLength(1);
  });

  it('replaces the target rows it measured and keeps the others', () => {
    expect(merged).toContain('| matmul target | 17 % | NOT met |');
    expect(merged).toContain("| browser (first visit): mini's first step faster than TensorFlow.js webgpu's | 2.00× (its time / ours) | met |");
    expect(merged).toContain("| browser (first visit): mini's ThreeNet step at least as fast as TensorFlow.js webgpu's, same Chromium | 1.25× (its time / ours) | met |");
    expect(merged).not.toContain('0.50×');
  });

  it("keeps the full run's header and names the partial run with its date and load", () => {
    expect(merged.startsWith('# Benchmarks\n\n- Command: `pnpm bench`\n- Updated by `pnpm bench --only browser` on 2026-12-02T01:00:00Z (load average at its start 2.25)')).toBe(true);
  });

  it('writes the browser table: each row against TensorFlow.js webgpu, the reference marked', () => {
    expect(merged).toContain('| mini, first visit | 1.50 (1.50–1.50) | 2.00 (2.00–2.00) | 0.400 (0.400–0.400) | 1.25 (1.25–1.25) |');
    expect(merged).toContain('| TensorFlow.js webgpu | 3.00 (3.00–3.00) | 1 (reference) | 0.500 (0.500–0.500) | 1 (reference) |');
    expect(merged).toContain('Chromium 156.0');
  });
});
