import { readFileSync } from 'node:fs';
import type { ConvRow } from './conv-bench.ts';
import type { DispatchResult } from './dispatch-bench.ts';
import type { ExampleEvent } from './events.ts';
import { EMPTY, TORCH_FIRST_STEP, WARM, type FirstStepResult } from './first-step.ts';
import type { MachineInfo } from './machine.ts';
import type { MatmulRow } from './matmul-bench.ts';
import type { Comparison, Figure, TorchKernels } from './peers.ts';
import { fmt, num, type Stat } from './stats.ts';
import type { ThreeNetResult } from './threenet-bench.ts';
import { TFJS_WEBGPU, type BrowserResult, type BrowserRow } from './browser-result.ts';

export interface Results {
  info: MachineInfo;
  runs: number;
  /** Wall time of the whole bench, seconds (set at the end). */
  seconds?: number;
  matmul?: MatmulRow[];
  dispatch?: DispatchResult;
  conv?: ConvRow[];
  torchKernels?: TorchKernels | { skipped: string };
  firstStep?: FirstStepResult;
  threenet?: ThreeNetResult;
  lenet?: Comparison<ExampleEvent[]>;
  browser?: BrowserResult;
}

/** A Markdown table. */
export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
const peer = (c: Comparison<unknown> | undefined, name: string) => c?.others.find((o) => o.name === name && o.ratio);
const torchOf = (k: Results['torchKernels']) => (k && !('skipped' in k) ? k : undefined);

/** The heading of the targets' table (each row's ratio is from one run: the header's, or the partial run it names). */
export const TARGETS_HEADING = '## Targets (ratios, each taken within one run)';

/** The issues' targets (15 and 14) that this run measured: [target, measured, met or not]. */
export function targets(r: Results): string[][] {
  const rows: string[][] = [];
  const threenet = r.threenet?.comparison;
  const torch = peer(threenet, 'PyTorch CPU');
  if (torch) rows.push(['ThreeNet example epoch within 2.5× of PyTorch CPU', `${num(1 / torch.ratio!.median)}× its time`, check(1 / torch.ratio!.median <= 2.5)]);
  const tfjs = peer(threenet, 'TensorFlow.js wasm');
  if (tfjs) rows.push(['ThreeNet example epoch ≥ 10× faster than TensorFlow.js wasm', `${num(tfjs.ratio!.median)}×`, check(tfjs.ratio!.median >= 10)]);
  const headline = r.matmul?.find((m) => m.name === 'product' && m.shape === '(256×784)·(784×200)');
  const sgemm = torchOf(r.torchKernels)?.sgemm;
  if (headline && sgemm) {
    const share = headline.gflops.median / sgemm.median;
    rows.push(['matmul (256×784)·(784×200) ≥ 20 % of OpenBLAS sgemm 2048³', `${num(headline.gflops.median)} / ${num(sgemm.median)} GFLOP/s = ${num(share * 100, 0)} %`, check(share >= 0.2)]);
  }
  const first = r.firstStep?.comparison;
  if (first?.reference.name === TORCH_FIRST_STEP) {
    for (const [name, limit] of [[WARM, 0.5], [EMPTY, 1]] as const) {
      const f = peer(first, name);
      if (f) rows.push([`first step, ${name.replace('mini, ', '')}: ≤ ${limit}× PyTorch's import + one step (whole processes)`, `${num(f.ratio!.median)}×`, check(f.ratio!.median <= limit)]);
    }
  }
  const lenetTorch = peer(r.lenet, 'PyTorch CPU');
  if (lenetTorch) rows.push(['LeNet epoch within 3× of PyTorch CPU', `${num(1 / lenetTorch.ratio!.median)}× its time`, check(1 / lenetTorch.ratio!.median <= 3)]);
  const lenetTfjs = peer(r.lenet, 'TensorFlow.js wasm');
  if (lenetTfjs) rows.push(['LeNet epoch ≥ 5× faster than TensorFlow.js wasm', `${num(lenetTfjs.ratio!.median)}×`, check(lenetTfjs.ratio!.median >= 5)]);
  for (const row of r.browser?.rows ?? []) {
    if (!row.stepRatio || !row.firstRatio || !row.name.startsWith('mini')) continue;
    const who = row.name.replace('mini, ', '');
    rows.push([`browser (${who}): mini's ThreeNet step at least as fast as ${TFJS_WEBGPU}'s, same Chromium`, `${num(row.stepRatio.median)}× (its time / ours)`, check(row.stepRatio.median >= 1)]);
    rows.push([`browser (${who}): mini's first step faster than ${TFJS_WEBGPU}'s`, `${num(row.firstRatio.median)}× (its time / ours)`, check(row.firstRatio.median > 1)]);
  }
  const memory = r.threenet?.memory;
  if (memory && memory.length >= 3) {
    rows.push(['ThreeNet example: live GPU bytes after epoch 1 = after epoch 3', `${memory[0].liveBytes} = ${memory[2].liveBytes}`, check(memory[0].liveBytes === memory[2].liveBytes)]);
    rows.push([
      'ThreeNet example: no new GPU buffer or bind group in epoch 3',
      `buffers ${memory.map((m) => m.buffersCreated).join(', ')}; bind groups ${memory.map((m) => m.bindGroupsCreated).join(', ')} created per epoch`,
      check(memory[2].buffersCreated === 0 && memory[2].bindGroupsCreated === 0),
    ]);
  }
  return rows;
}

/** A comparison's rows: program, seconds, ratio to the reference, how it was timed. */
export function comparisonTable(c: Comparison<unknown>, ratioHead: string): string {
  const row = (f: Figure, isReference: boolean) =>
    f.seconds
      ? [f.name, fmt(f.seconds), isReference ? '1 (reference)' : f.ratio ? fmt(f.ratio) : '–', [f.note ?? '', f.skipped ? `later runs skipped: ${f.skipped}` : ''].filter(Boolean).join('; ')]
      : [f.name, 'skipped', '–', f.skipped ?? ''];
  return table(['program', 'seconds', ratioHead, 'how'], [row(c.reference, true), ...c.others.map((o) => row(o, false))]);
}

function threenetSection(t: ThreeNetResult): string[] {
  const c = t.comparison;
  return [
    '## ThreeNet: the example\'s epoch on Fashion-MNIST',
    '',
    `Each round runs \`examples/threenet/threenet.ts\` as a fresh process (through bench/example-child.ts, which adds the device's counters to its --json events; the example is unchanged), then each peer as a fresh process; the ratio is the peer's time over ours in the same round, median over ${c.reference.seconds?.runs ?? 0} rounds (above 1: ours is faster).`,
    '',
    comparisonTable(c, 'peer time / ours'),
    '',
    table(
      ['figure', 'value'],
      [
        ['dispatches per step (a run logging every step, steps 3–12)', fmt(t.dispatchesPerStep)],
        ['submits between epoch events (the checkpoint each epoch starts with included)', fmt(t.submitsPerEpoch)],
        ['live GPU bytes at each epoch event (last run)', t.memory.map((m) => `${m.liveBytes} (${MiB(m.liveBytes)})`).join(', ')],
        ['GPU buffers created in each epoch (last run)', t.memory.map((m) => m.buffersCreated).join(', ')],
        ['bind groups created in each epoch (last run)', t.memory.map((m) => m.bindGroupsCreated).join(', ')],
      ],
    ),
    '',
  ];
}

function browserSection(b: BrowserResult): string[] {
  const ratio = (r: BrowserRow, s: Stat | undefined) => (r.name === TFJS_WEBGPU ? '1 (reference)' : s ? fmt(s) : '–');
  return [
    '## Browser: a ThreeNet training step in headless Chromium',
    '',
    `Chromium ${b.chromium} (Debian's, headless, \`--enable-unsafe-webgpu\`), WebGPU adapter ${b.rows[0]?.backend.replace(/^webgpu: /, '') ?? '–'}. Each page load is a fresh Chromium with a fresh profile and trains ${b.steps} steps of batch ${b.batchSize} (784-200-60-10, SGD lr 0.01) on the demo's MNIST sample, reading each step's loss: mini's page runs the seed's loop of examples/threenet/training.ts (bench/browser/mini.ts) with the matmul tuner as users get it (quick, in the background of the first steps); its second visit reuses the first visit's profile (the tuning cache in IndexedDB, Chromium's shader cache); TensorFlow.js's page (bench/browser/tfjs.ts) builds the same model. First step: pipeline compilation included. Step: the median of the steps after the first. Ratios: ${TFJS_WEBGPU}'s time over the row's, round by round (above 1: faster than it); medians (min–max) over ${b.rows[0]?.step.runs ?? 0} rounds.`,
    '',
    table(
      ['page', 'first step, s', `${TFJS_WEBGPU} / this`, 'step, s', `${TFJS_WEBGPU} / this`, 'backend'],
      b.rows.map((r) => [r.name, fmt(r.first), ratio(r, r.firstRatio), fmt(r.step), ratio(r, r.stepRatio), r.backend]),
    ),
    '',
    ...b.rows.filter((r) => r.tuner).map((r) => `- ${r.name}, last round: ${r.tuner}`),
    '',
  ];
}

function firstStepSection(f: FirstStepResult): string[] {
  const c = f.comparison;
  const total = f.pipelines.reduce((sum, p) => sum + p.ms.median, 0);
  return [
    '## Time to the first training step of the main job',
    '',
    "Whole processes, spawn to exit, seconds: `pnpm example:threenet --max-steps 1` (the command of package.json's script, without pnpm's own start-up; the embedded MNIST sample) with Mesa's shader cache and the matmul tuning cache warm (MESA_SHADER_CACHE_DIR and MINI_TUNE_CACHE in a folder of the bench's, filled by one run first) and both empty (a new folder each run, as on a machine's first run); PyTorch's process imports torch and torchvision, builds ThreeNet and runs one step on a random batch (it reads no dataset).",
    '',
    comparisonTable(c, `time / ${c.reference.name}'s`),
    '',
    `With the cache empty, llvmpipe compiles each pipeline at its first dispatch. Each pipeline \`--max-steps 1\` compiles, dispatched alone in a fresh process with an empty cache (\`bench/compile-child.ts\`), in ms; together ${num(total, 0)} ms:`,
    '',
    table(['pipeline', 'first dispatch, cache empty'], f.pipelines.map((p) => [`\`${p.kernel}\``, fmt(p.ms)])),
    '',
  ];
}

function convSection(rows: ConvRow[], torch: Results['torchKernels']): string[] {
  const theirs = torchOf(torch);
  const find = (row: ConvRow) => theirs?.conv.find((t) => t.name === row.name && t.op === row.op);
  return [
    "## conv2d: LeNet's layers, batch 64",
    '',
    'GFLOP/s (2 × multiply-adds; each backward does as many as the forward). Ours through the public API: F.conv2d, and autograd.grad of one graph with only the input or only the weight requiring grad, so each backward runs alone.' +
      (theirs ? ` PyTorch: ${theirs.note}.` : torch && 'skipped' in torch ? ` PyTorch skipped: ${torch.skipped}.` : ''),
    '',
    table(
      ['layer', 'op', 'mini GFLOP/s', 'PyTorch CPU GFLOP/s', 'PyTorch / mini'],
      rows.map((row) => {
        const t = find(row);
        return [row.name, row.op, fmt(row.gflops), t ? fmt(t.gflops) : '–', t ? num(t.gflops.median / row.gflops.median) : '–'];
      }),
    ),
    '',
  ];
}

/** The first heading of findings.md, where RESULTS.md's fixed notes begin. */
export const NOTES_HEADING = readFileSync(new URL('./findings.md', import.meta.url), 'utf8').split('\n')[0];

/** The results as Markdown: what bench/RESULTS.md holds (plus the fixed notes in findings.md). */
export function markdown(r: Results, findings = readFileSync(new URL('./findings.md', import.meta.url), 'utf8')): string {
  const i = r.info;
  const out: string[] = ['# Benchmarks', ''];
  out.push('Written by `pnpm bench` (bench/bench.ts); the notes at the end are bench/findings.md. Absolute figures hold for this machine only; the ratios, taken in the same run, are what carries over.', '');
  out.push(`- Machine: ${i.name}: ${i.machine}`, `- Adapter: ${i.adapter}`, `- Node: ${i.node}`, `- Date: ${i.date}; load average at the start ${num(i.load)}`, `- Command: \`${i.command}\``);
  out.push(`- Each in-process figure: median (min–max) of ${r.runs} runs; each comparison: ${r.runs} rounds of fresh processes.`);
  if (r.seconds !== undefined) out.push(`- The bench took ${num(r.seconds / 60, 1)} minutes.`);
  out.push('');
  const t = targets(r);
  if (t.length) out.push(TARGETS_HEADING, '', table(['target', 'measured', ''], t), '');
  if (r.threenet) out.push(...threenetSection(r.threenet));
  if (r.lenet) {
    out.push('## LeNet: an epoch on Fashion-MNIST (60,000 images, batch 64)', '');
    out.push("Issue 14's recipe (conv 1→6 5×5 pad 2, ReLU, max-pool 2, conv 6→16 5×5, ReLU, max-pool 2, 400-120-84-10, CrossEntropyLoss, SGD lr 0.01 momentum 0.9). Paired as ThreeNet's; the how column says which steps were timed.", '');
    out.push(comparisonTable(r.lenet, 'peer time / ours'), '');
  }
  if (r.browser) out.push(...browserSection(r.browser));
  if (r.firstStep) out.push(...firstStepSection(r.firstStep));
  if (r.conv) out.push(...convSection(r.conv, r.torchKernels));
  if (r.matmul) {
    out.push('## Matmul', '', 'GFLOP/s of one product, many recorded into one submit; the kernel column is the kernel that ran, the tuner column what the tuner did for the shape\'s class. "ᵀ-stored": the operand is a transposed view (no copy).', '');
    out.push(table(['product', 'shape', 'GFLOP/s', 'kernel', 'tuner'], r.matmul.map((m) => [m.name, m.shape, fmt(m.gflops), `\`${m.kernel}\``, m.tuner ?? '–'])), '');
    const sgemm = torchOf(r.torchKernels)?.sgemm;
    if (sgemm) out.push(`OpenBLAS sgemm 2048³ through torch.mm in the same run: ${fmt(sgemm)} GFLOP/s.`, '');
  }
  if (r.dispatch) {
    const d = r.dispatch;
    out.push('## Dispatch and readback', '');
    out.push(
      table(
        ['what', 'µs'],
        [
          [`one dispatch of a cheap kernel (fill_ of 1 element), ${d.dispatchesPerSubmit} per submit, recorded and run`, fmt(d.perDispatch)],
          ['of which recording it in JS', fmt(d.recordOnly)],
          ['a 4-byte readback round trip (idle queue)', fmt(d.readback)],
        ],
      ),
      '',
    );
  }
  out.push(findings.trim(), '');
  return out.join('\n');
}

/** A short plain-text summary for the terminal: the targets. */
export function summary(r: Results): string {
  const rows = targets(r);
  if (rows.length === 0) return 'no target measured in this run';
  const width = Math.max(...rows.map((row) => row[0].length));
  const valueWidth = Math.max(...rows.map((row) => row[1].length));
  return rows.map(([name, value, ok]) => `${name.padEnd(width)}  ${value.padEnd(valueWidth)}  ${ok}`).join('\n');
}
