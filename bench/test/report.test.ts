import { describe, expect, it } from 'vitest';
import { failure } from '../child.ts';
import { lscpuModel } from '../machine.ts';
import { compare, type Contender, type RunOutcome } from '../peers.ts';
import { comparisonTable, markdown, summary, table, targets, type Results } from '../report.ts';
import { stat } from '../stats.ts';

const info = {
  name: 'vm',
  machine: 'AMD EPYC × 2 cores, 24 GiB, Linux 6.18',
  adapter: 'llvmpipe (Dawn backend vulkan, subgroups 8–8)',
  node: 'v20.20.2',
  date: '2026-12-01T23:00:00Z',
  command: 'pnpm bench',
  load: 3.5,
};

/** A program whose runs take the given seconds in turn (or skip where a string is given). */
function program(name: string, runs: (number | string)[], once = false): Contender {
  let i = 0;
  return {
    name,
    once,
    run: async (): Promise<RunOutcome> => {
      const r = runs[i++];
      if (r === undefined) throw new Error(`${name} ran more often than expected`);
      return typeof r === 'string' ? { skipped: r } : { seconds: r, note: `${name} note` };
    },
  };
}

describe('compare(): paired rounds', () => {
  it('takes each ratio against the reference of the same round, stops running a program that skipped, runs a `once` program in round 1 only', async () => {
    const lines: string[] = [];
    const c = await compare(
      3,
      program('ours', [2, 4, 1]),
      [program('peer', [4, 4, 5]), program('flaky', [6, 'gone']), program('slow', [10], true), program('absent', ['not installed'])],
      (l) => lines.push(l),
    );
    expect(c.reference.seconds).toEqual(stat([2, 4, 1]));
    const [peer, flaky, slow, absent] = c.others;
    expect(peer.ratio).toEqual(stat([2, 1, 5]));
    expect(flaky.seconds).toEqual(stat([6]));
    expect(flaky.ratio).toEqual(stat([3]));
    expect(flaky.skipped).toBe('gone');
    expect(slow.ratio).toEqual(stat([5]));
    expect(absent).toEqual({ name: 'absent', skipped: 'not installed' });
    expect(lines).toContain('  absent: skipped: not installed');
  });

  it('a reference that skips leaves the others without ratios', async () => {
    const c = await compare(2, program('torch', ['no torch']), [program('ours', [1, 2])], () => {});
    expect(c.reference).toMatchObject({ name: 'torch', skipped: 'no torch' });
    expect(c.others[0].seconds).toEqual(stat([1, 2]));
    expect(c.others[0].ratio).toBeUndefined();
  });
});

describe('the report', () => {
  const threenet = {
    comparison: {
      reference: { name: 'mini: examples/threenet', seconds: stat([2, 2.2, 2.4]), note: 'example', details: [] },
      others: [
        { name: 'PyTorch CPU', seconds: stat([0.5, 0.5, 0.6]), ratio: stat([0.25, 0.2, 0.25]), note: 'torch' },
        { name: 'TensorFlow.js wasm', seconds: stat([20, 22, 24]), ratio: stat([10, 11, 12]), note: 'tfjs' },
      ],
    },
    dispatchesPerStep: stat([27]),
    submitsPerEpoch: stat([248, 250]),
    memory: [
      { liveBytes: 100, buffersCreated: 50, bindGroupsCreated: 20 },
      { liveBytes: 100, buffersCreated: 3, bindGroupsCreated: 1 },
      { liveBytes: 100, buffersCreated: 0, bindGroupsCreated: 0 },
    ],
  };
  const results: Results = { info, runs: 3, seconds: 540, threenet };

  it('targets: ours over PyTorch is the inverse of the run-by-run peer/ours ratio', () => {
    expect(targets(results)).toEqual([
      ['ThreeNet example epoch within 2.5× of PyTorch CPU', '4.00× its time', 'NOT met'],
      ['ThreeNet example epoch ≥ 10× faster than TensorFlow.js wasm', '11.0×', 'met'],
      ['ThreeNet example: live GPU bytes after epoch 1 = after epoch 3', '100 = 100', 'met'],
      ['ThreeNet example: no new GPU buffer or bind group in epoch 3', 'buffers 50, 3, 0; bind groups 20, 1, 0 created per epoch', 'met'],
    ]);
    expect(summary(results).split('\n')).toHaveLength(4);
    expect(summary({ info, runs: 1 })).toBe('no target measured in this run');
  });

  it('markdown names the machine and its CPU, the duration, and writes each section as a table', () => {
    const md = markdown(results, '## Notes\nfixed text\n');
    expect(md).toContain('- Machine: vm: AMD EPYC × 2 cores, 24 GiB, Linux 6.18');
    expect(md).toContain('load average at the start 3.50');
    expect(md).toContain('- The bench took 9.0 minutes.');
    expect(md).toContain('| ThreeNet example epoch ≥ 10× faster than TensorFlow.js wasm | 11.0× | met |');
    expect(md).toContain('| TensorFlow.js wasm | 22.0 (20.0–24.0) | 11.0 (10.0–12.0) | tfjs |');
    expect(md).toContain('| dispatches per step (a run logging every step, steps 3–12) | 27.0 (27.0–27.0) |');
    expect(md.trimEnd().endsWith('## Notes\nfixed text')).toBe(true);
    expect(md).not.toContain('## LeNet');
  });

  it('every section renders: LeNet, the first step, conv2d beside PyTorch, matmul with sgemm, dispatch', () => {
    const first = {
      comparison: {
        reference: { name: 'PyTorch CPU: import + one step', seconds: stat([1.3]), note: 'torch', details: [] },
        others: [
          { name: 'mini, shader cache warm', seconds: stat([3]), ratio: stat([2.3]), note: 'warm' },
          { name: 'mini, shader cache empty', seconds: stat([4.6]), ratio: stat([3.5]), note: 'empty' },
        ],
      },
      pipelines: [{ kernel: 'matmul-vec4-k TM=32 TN=3', ms: stat([172]) }],
    };
    const conv = [{ name: 'conv1', op: 'forward' as const, gflops: stat([0.5]) }];
    const torchKernels = { conv: [{ name: 'conv1', op: 'forward', gflops: stat([5]) }], sgemm: stat([196]), note: 'torch 1.13' };
    const matmul = [{ name: 'product', shape: '(256×784)·(784×200)', kernel: 'matmul-vec4-n TM=16 TN=1', tuner: 'tuner: matmul-vec4-n TM=16 TN=1 (cached, quick tuning)', gflops: stat([49]) }];
    const dispatch = { perDispatch: stat([40]), recordOnly: stat([5]), dispatchesPerSubmit: 250, readback: stat([90]) };
    const lenet = { reference: { name: 'mini: LeNet', seconds: stat([300]), note: 'window', details: [] }, others: [{ name: 'PyTorch CPU', seconds: stat([6]), ratio: stat([0.02]), note: 'torch' }] };
    const md = markdown({ ...results, firstStep: first, conv, torchKernels, matmul, dispatch, lenet }, '');
    expect(md).toContain("| first step, shader cache warm: ≤ 0.5× PyTorch's import + one step (whole processes) | 2.30× | NOT met |");
    expect(md).toContain('| matmul (256×784)·(784×200) ≥ 20 % of OpenBLAS sgemm 2048³ | 49.0 / 196 GFLOP/s = 25 % | met |');
    expect(md).toContain('| LeNet epoch within 3× of PyTorch CPU | 50.0× its time | NOT met |');
    expect(md).toContain('| conv1 | forward | 0.500 (0.500–0.500) | 5.00 (5.00–5.00) | 10.0 |');
    expect(md).toContain('| `matmul-vec4-k TM=32 TN=3` | 172 (172–172) |');
    expect(md).toContain('| product | (256×784)·(784×200) | 49.0 (49.0–49.0) | `matmul-vec4-n TM=16 TN=1` | tuner: matmul-vec4-n TM=16 TN=1 (cached, quick tuning) |');
    expect(md).toContain('OpenBLAS sgemm 2048³ through torch.mm in the same run: 196 (196–196) GFLOP/s.');
    expect(md).toContain('| a 4-byte readback round trip (idle queue) | 90.0 (90.0–90.0) |');
  });

  it('a skipped program is a row that says why', () => {
    const c = {
      reference: { name: 'ours', seconds: stat([1]), note: 'n', details: [] },
      others: [{ name: 'TensorFlow.js wasm', skipped: "failed: Kernel 'Conv2DBackpropFilter' not registered" }],
    };
    expect(comparisonTable(c, 'peer / ours').split('\n').slice(2)).toEqual([
      '| ours | 1.00 (1.00–1.00) | 1 (reference) | n |',
      "| TensorFlow.js wasm | skipped | – | failed: Kernel 'Conv2DBackpropFilter' not registered |",
    ]);
    expect(table(['a', 'b'], [['1', '2']])).toBe('| a | b |\n| --- | --- |\n| 1 | 2 |');
  });
});

describe('machine and process details', () => {
  it("reads lscpu's model name", () => {
    expect(lscpuModel('Architecture:   x86_64\nModel name:                              AMD EPYC\nCPU family: 26\n')).toBe('AMD EPYC');
    expect(lscpuModel('Architecture: aarch64\n')).toBe(null);
  });

  it("a failed process is summed up by its exit and last error line, not a minified library's source", () => {
    const r = { code: 7, signal: null, stdout: '', ms: 1, stderr: `${'x'.repeat(600)}\nError: Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'\n    at Engine.runKernel (engine.ts:551:13)\n` };
    expect(failure(r)).toBe("exit 7: Error: Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'");
    expect(failure({ ...r, stderr: 'line 1\nline 2\n' })).toBe('exit 7: line 1 | line 2');
  });
});
