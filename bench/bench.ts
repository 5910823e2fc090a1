// `pnpm bench`: the programs users run (the ThreeNet example's epoch and first step, a LeNet
// epoch) beside PyTorch CPU and TensorFlow.js, and the kernels under them (matmul, conv2d,
// dispatch cost), and the ThreeNet step in headless Chromium beside TensorFlow.js webgpu; prints
// the figures and writes bench/RESULTS.md. Flags: options.ts (--help).
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { loadavg } from 'node:os';
import { init, shutdown } from '@mini/tensor';
import { benchConv, LENET_CONVS } from './conv-bench.ts';
import { benchDispatch } from './dispatch-bench.ts';
import { benchBrowser } from './browser-bench.ts';
import { benchFirstStep } from './first-step.ts';
import { benchLeNet } from './lenet-bench.ts';
import { machineInfo } from './machine.ts';
import { benchMatmul } from './matmul-bench.ts';
import { parseOptions, UsageError, wants, type BenchOptions } from './options.ts';
import { torchKernels } from './peers.ts';
import { mergeResults } from './merge-results.ts';
import { markdown, NOTES_HEADING, summary, type Results } from './report.ts';
import { fmt } from './stats.ts';
import { benchThreeNet } from './threenet-bench.ts';

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
const started = performance.now();
const log = (line: string) => console.log(line);
const load = loadavg()[0];
const device = await init('webgpu');
const results: Results = { info: machineInfo(device.gpu, argv, load), runs: options.runs };
log(`${results.info.name}: ${results.info.machine}\n${results.info.adapter}\n${results.info.date}, load average ${load.toFixed(2)}, ${options.runs} runs per figure\n`);

// In-process kernels first, while the device is ours alone.
if (wants(options, 'matmul')) {
  log('matmul, GFLOP/s (median):');
  results.matmul = await benchMatmul(device, options.runs, log);
}
if (wants(options, 'dispatch')) {
  results.dispatch = await benchDispatch(device, options.runs);
  log(`\nµs per dispatch: ${fmt(results.dispatch.perDispatch)}, of which JS ${fmt(results.dispatch.recordOnly)}; readback ${fmt(results.dispatch.readback)} µs`);
}
if (wants(options, 'conv')) {
  log("\nconv2d, LeNet's layers, GFLOP/s (median):");
  results.conv = await benchConv(device, options.runs, log);
}
// The programs run in processes of their own: this one lets go of its device.
shutdown();
if (options.peers && (wants(options, 'conv') || wants(options, 'matmul'))) {
  results.torchKernels = await torchKernels(LENET_CONVS, options.runs);
  const k = results.torchKernels;
  log('skipped' in k ? `PyTorch kernels: skipped: ${k.skipped}` : `PyTorch: sgemm 2048³ ${fmt(k.sgemm)} GFLOP/s; conv2d ${k.conv.map((c) => `${c.op} ${c.gflops.median.toFixed(1)}`).join(', ')}`);
}
if (wants(options, 'threenet')) {
  log('\nThreeNet example, an epoch on Fashion-MNIST (fresh processes, paired by round):');
  results.threenet = await benchThreeNet(options.runs, options.quick, options.peers, log);
  log(`  ${fmt(results.threenet.dispatchesPerStep)} dispatches per step, ${fmt(results.threenet.submitsPerEpoch)} submits per epoch`);
}
if (wants(options, 'lenet')) {
  log('\nLeNet, an epoch on Fashion-MNIST (fresh processes, paired by round):');
  results.lenet = await benchLeNet(options.runs, options.quick, options.peers, log);
}
if (wants(options, 'first-step')) {
  log('\nTime to first step, whole processes:');
  results.firstStep = await benchFirstStep(options.runs, options.peers, log);
}
if (wants(options, 'browser')) {
  log('\nThreeNet step in headless Chromium (a fresh browser per page load, paired by round):');
  results.browser = await benchBrowser(options.runs, options.quick, options.peers, log);
}

results.seconds = (performance.now() - started) / 1000;
log(`\n${summary(results)}\n\nthe bench took ${(results.seconds / 60).toFixed(1)} minutes`);
if (options.write) {
  const path = new URL('./RESULTS.md', import.meta.url);
  const temp = new URL('./RESULTS.md.tmp', import.meta.url);
  const fresh = markdown(results);
  writeFileSync(temp, options.only && existsSync(path) ? mergeResults(readFileSync(path, 'utf8'), fresh, results.info, NOTES_HEADING) : fresh);
  renameSync(temp, path);
  log('wrote bench/RESULTS.md');
}
process.exit(0);
