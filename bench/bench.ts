// `pnpm bench`: matmul, dispatch, time to first step, the ThreeNet epoch, Dawn's backends, and the
// same epoch in PyTorch and TensorFlow.js; prints the figures and writes bench/RESULTS.md.
// Flags: see options.ts (`pnpm bench --help`).
import { writeFileSync } from 'node:fs';
import { init } from '@mini/tensor';
import { benchBackends } from './backends.ts';
import { benchDispatch } from './dispatch-bench.ts';
import { benchFirstStep } from './first-step.ts';
import { machineInfo } from './machine.ts';
import { benchMatmul } from './matmul-bench.ts';
import { parseOptions, UsageError, wants, type BenchOptions } from './options.ts';
import { benchPeers } from './peers.ts';
import { markdown, summary, type Results } from './report.ts';
import { fmt } from './stats.ts';
import { ThreeNetTrainer } from './threenet.ts';
import { benchThreeNet, timeEpoch } from './threenet-bench.ts';

const argv = process.argv.slice(2);
let parsed: BenchOptions | null;
try {
  parsed = parseOptions(argv);
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(2);
}
if (!parsed) process.exit(0);
const options = parsed;
const log = (line: string) => console.log(line);
const device = await init('webgpu');
const results: Results = { info: machineInfo(device.gpu, argv), runs: options.runs };
log(`${results.info.machine}\n${results.info.adapter}\n${results.info.date}, ${options.runs} runs per figure\n`);

if (wants(options, 'matmul')) {
  log('matmul, GFLOP/s (median):');
  results.matmul = await benchMatmul(device, options.runs, log);
}
if (wants(options, 'dispatch')) {
  results.dispatch = await benchDispatch(device, options.runs);
  log(`\nµs per dispatch: ${fmt(results.dispatch.perDispatch)}, of which JS ${fmt(results.dispatch.recordOnly)}; readback ${fmt(results.dispatch.readback)} µs`);
}
if (wants(options, 'first-step')) {
  results.firstStep = await benchFirstStep(options.runs);
  log(`time to first step, ms from process start: warm shader cache ${fmt(results.firstStep.warm.sinceStart)}, empty ${fmt(results.firstStep.cold.sinceStart)}`);
}
if (wants(options, 'threenet')) {
  log('\nThreeNet, ours:');
  results.threenet = await benchThreeNet(device, options.epochs, log);
  const t = results.threenet;
  log(`  ${fmt(t.epochSeconds)} s per epoch, ${fmt(t.stepMicros)} µs per step, ${t.dispatchesPerStep.toFixed(1)} dispatches per step`);
}
if (options.backends && wants(options, 'backends')) {
  log('\nDawn backends (fresh processes):');
  results.backends = await benchBackends(options.runs, options.quick ? 20 : 40);
  for (const b of results.backends) {
    log(b.result ? `  ${b.backend}: matmul ${fmt(b.result.gflops)} GFLOP/s, ${fmt(b.result.dispatchMicros)} µs per dispatch, ${fmt(b.result.stepMicros)} µs per step` : `  ${b.backend}: skipped: ${b.skipped}`);
  }
}
if (options.peers && wants(options, 'peers')) {
  log('\nPeers (fresh processes), each run followed by an epoch of ours:');
  const trainer = new ThreeNetTrainer(device);
  await timeEpoch(trainer); // warm-up
  results.peers = await benchPeers(options.runs, options.quick, async () => (await timeEpoch(trainer)).seconds, log);
}

log(`\n${summary(results)}`);
if (options.write) {
  const path = new URL('./RESULTS.md', import.meta.url);
  writeFileSync(path, markdown(results));
  log(`\nwrote bench/RESULTS.md`);
}
process.exit(0);
