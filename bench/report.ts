import { readFileSync } from 'node:fs';
import type { BackendOutcome } from './backends.ts';
import type { DispatchResult } from './dispatch-bench.ts';
import type { FirstStepResult } from './first-step.ts';
import type { MachineInfo } from './machine.ts';
import type { MatmulRow } from './matmul-bench.ts';
import type { PeerOutcome } from './peers.ts';
import { fmt, num } from './stats.ts';
import type { ThreeNetResult } from './threenet-bench.ts';

export interface Results {
  info: MachineInfo;
  runs: number;
  matmul?: MatmulRow[];
  dispatch?: DispatchResult;
  firstStep?: FirstStepResult;
  threenet?: ThreeNetResult;
  backends?: BackendOutcome[];
  peers?: PeerOutcome[];
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

function targets(r: Results): string[][] {
  const rows: string[][] = [];
  const peer = (prefix: string) => r.peers?.filter((p) => p.name.startsWith(prefix) && p.ratio);
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const headline = r.matmul?.find((m) => m.name === 'product' && m.shape === '(256×784)·(784×200)');
  if (headline) rows.push(['matmul (256×784)·(784×200) ≥ 20 GFLOP/s', `${num(headline.gflops.median)} GFLOP/s`, check(headline.gflops.median >= 20)]);
  const tfjs = peer('TensorFlow.js');
  if (tfjs?.length) {
    const fastest = tfjs.reduce((a, b) => (a.epoch!.median < b.epoch!.median ? a : b));
    const ratio = fastest.ratio!.median;
    rows.push([`epoch ≥ 3.5× faster than the fastest TensorFlow.js (${fastest.name})`, `${num(ratio)}×`, check(ratio >= 3.5)]);
  }
  const recipe = peer("PyTorch CPU, the seed's recipe")?.[0];
  if (recipe) rows.push(["epoch ≥ 2× faster than PyTorch's seed recipe", `${num(recipe.ratio!.median)}×`, check(recipe.ratio!.median >= 2)]);
  const preloaded = peer('PyTorch CPU, preloaded')?.[0];
  if (preloaded) {
    const ratio = 1 / preloaded.ratio!.median;
    rows.push(['epoch within 6× of PyTorch CPU with preloaded data', `${num(ratio)}× its time`, check(ratio <= 6)]);
  }
  if (r.firstStep) {
    const warm = r.firstStep.warm.sinceStart.median / 1000;
    rows.push(['time to first step < 1.5 s (from process start, shader cache warm)', `${num(warm)} s`, check(warm < 1.5)]);
    const cold = r.firstStep.cold.sinceStart.median / 1000;
    rows.push(['the same with an empty shader cache (first run on a machine)', `${num(cold)} s`, check(cold < 1.5)]);
  }
  if (r.threenet) {
    const t = r.threenet;
    rows.push(['live GPU bytes after epoch 1 = after epoch 3', `${t.liveBytesAfterEpoch1} = ${t.liveBytesAfterEpoch3}`, check(t.liveBytesAfterEpoch1 === t.liveBytesAfterEpoch3)]);
    const later = t.buffersCreated.slice(2);
    rows.push([
      'no new GPU buffer in steady state (from epoch 3 on)',
      `${t.buffersCreated.join(', ')} created per epoch`,
      check(later.length > 0 && later.every((n) => n === 0)),
    ]);
  }
  return rows;
}

/** The results as Markdown: what bench/RESULTS.md holds (plus the fixed notes in findings.md). */
export function markdown(r: Results): string {
  const out: string[] = ['# Benchmarks', ''];
  out.push(`Written by \`pnpm bench\` (bench/bench.ts); the notes at the end are bench/findings.md.`, '');
  out.push(`- Machine: ${r.info.machine}`, `- Adapter: ${r.info.adapter}`, `- Node: ${r.info.node}`, `- Date: ${r.info.date}`, `- Command: \`${r.info.command}\``);
  out.push(`- Each figure: median (min–max) of ${r.runs} runs unless a row says otherwise.`, '');
  const t = targets(r);
  if (t.length) out.push('## Targets (ratios from this one run)', '', table(['target', 'measured', ''], t), '');
  if (r.matmul) {
    out.push('## Matmul', '', 'GFLOP/s of one product, many recorded into one submit. "ᵀ-stored": the operand is a transposed view (no copy).', '');
    out.push(table(['product', 'shape', 'GFLOP/s', 'kernel'], r.matmul.map((m) => [m.name, m.shape, fmt(m.gflops), `\`${m.kernel}\``])), '');
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
  if (r.firstStep) {
    const f = r.firstStep;
    const row = (name: string, k: keyof FirstStepResult['warm']) => [name, fmt(f.warm[k]), fmt(f.cold[k])];
    out.push('## Time to the first training step', '', 'Each run a fresh `node --import tsx bench/first-step-child.ts` process; ms.', '');
    out.push(
      table(
        ['phase', "Mesa's shader cache warm", 'empty (MESA_SHADER_CACHE_DISABLE=true)'],
        [
          row('process start → first step done (its loss read back)', 'sinceStart'),
          row('– node start-up, TypeScript and imports', 'imports'),
          row('– WebGPU device', 'device'),
          row('– data (60,000 synthetic images) uploaded, model built', 'data'),
          row('– first step: pipelines compiled, run, loss read', 'firstStep'),
          row('a second step, for scale', 'steadyStep'),
        ],
      ),
      '',
    );
    const total = f.pipelines.reduce((sum, p) => sum + p.ms.median, 0);
    out.push(
      `With the cache empty, llvmpipe compiles each pipeline at its first dispatch. Each pipeline the trainer uses up to its first step, dispatched alone in a fresh process (\`bench/compile-child.ts\`), in ms; together ${num(total, 0)} ms:`,
      '',
      table(
        ['pipeline', 'first dispatch, cache empty'],
        f.pipelines.map((p) => [`\`${p.kernel}\``, fmt(p.ms)]),
      ),
      '',
    );
  }
  if (r.threenet) {
    const n = r.threenet;
    out.push('## ThreeNet training (ours)', '');
    out.push(
      '60,000 synthetic uint8 images [60000, 784] uploaded once; per step one kernel gathers and normalizes the batch by a shuffled index; ' +
        'nn.Sequential(Linear, ReLU, Linear, ReLU, Linear) with Linear+ReLU fused, crossEntropy fused, backward, optim.SGD(lr 1e-2) fused per parameter; ' +
        'batch 256; the loss is read back once per epoch. One warm-up epoch, then timed epochs.',
      '',
    );
    out.push(
      table(
        ['figure', 'value'],
        [
          ['seconds per epoch', fmt(n.epochSeconds)],
          ['µs per training step', fmt(n.stepMicros)],
          ['– of which JS recording the step (it shares the cores with the software GPU)', fmt(n.recordMicros)],
          ['steps per epoch', String(n.stepsPerEpoch)],
          ['dispatches per step', n.dispatchesPerStep.toFixed(2)],
          ['submits per epoch', n.submitsPerEpoch.toFixed(1)],
          ['readbacks per step', '0 (one per epoch)'],
          ['GPU buffers created per epoch, warm-up first (the second may add one: the shuffle order alternates between two buffers)', n.buffersCreated.join(', ')],
          ['live GPU bytes after epoch 1 / after epoch 3', `${n.liveBytesAfterEpoch1} (${MiB(n.liveBytesAfterEpoch1)}) / ${n.liveBytesAfterEpoch3}`],
          ['bytes pooled for reuse at the end', MiB(n.pooledBytes)],
        ],
      ),
      '',
    );
  }
  if (r.peers) {
    out.push('## Peers: the same ThreeNet epoch', '');
    out.push(
      'Each run of a peer is a fresh process (after its own warm-up) followed by one epoch of ours, so that each ratio compares two runs made under the same load on this shared machine; the ratio column is the median of the run-by-run ratios.',
      '',
    );
    out.push(
      table(
        ['', 's per epoch', 'ours, alongside', 'peer time / ours', 'how'],
        r.peers.map((p) =>
          p.epoch ? [p.name, fmt(p.epoch), fmt(p.ours!), fmt(p.ratio!), p.note ?? ''] : [p.name, 'skipped', '', '–', p.skipped ?? ''],
        ),
      ),
      '',
    );
  }
  if (r.backends) {
    out.push("## Dawn's backends on this machine: Vulkan (lavapipe) vs GL (llvmpipe)", '');
    out.push(
      table(
        ['backend', 'matmul (256×784)·(784×200) GFLOP/s', 'µs per dispatch', 'µs per ThreeNet step', 'matmul kernel', 'adapter'],
        r.backends.map((b) =>
          b.result
            ? [b.backend, fmt(b.result.gflops), fmt(b.result.dispatchMicros), `${fmt(b.result.stepMicros)} (${b.result.steps} steps a run)`, b.result.kernel, b.result.adapter]
            : [b.backend, 'skipped', '', '', '', b.skipped ?? ''],
        ),
      ),
      '',
    );
  }
  out.push(readFileSync(new URL('./findings.md', import.meta.url), 'utf8').trim(), '');
  return out.join('\n');
}

/** A short plain-text summary for the terminal. */
export function summary(r: Results): string {
  const rows = targets(r);
  const width = Math.max(...rows.map((row) => row[0].length), 10);
  return rows.map(([name, value, ok]) => `${name.padEnd(width)}  ${value.padEnd(28)} ${ok}`).join('\n');
}
