import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '@mini/nn';
import type { Optimizer } from '@mini/optim';
import { getDefaultDevice, shutdown, type Tensor } from '@mini/tensor';
import { UsageError, type Config, type Example } from './args.ts';
import { checkpointFormat, checkpointHint, loadCheckpoint, loadWeights, nonFiniteWeights, saveCheckpoint, saveWeights } from './checkpoint.ts';
import { ready, type ImageLoader as Loader } from './datasets.ts';
import { isFileError, prepareOutDir, writeFileAtomic } from './files.ts';
import { trainingFlags, type MetricRow, type Progress } from './progress.ts';
import { createReporter, type Reporter } from './reporter.ts';

/** The loss or the weights could not be trusted any more: the run stops, keeping the last good checkpoint. */
class DivergedError extends Error {}

/** How often a step lets the event loop run, so that Ctrl-C is seen within a step or two. */
const YIELD_EVERY_MS = 20;

/**
 * Everything a training loop as PyTorch users write it does not: flags, progress, loss readback,
 * checkpoints (Ctrl-C, --max-steps, --resume), NaN detection, metrics, plots and run.json. The
 * examples' loops (threenet.ts, lenet.ts) call it at their own points.
 */
export class Run {
  readonly reporter: Reporter;
  epoch = 0;
  stopping = false;
  private stopReason: string | null = null;
  private step = 0;
  private stepsDone = 0;
  private skip = 0;
  private firstEpoch = 0;
  private stepsThisEpoch = 0;
  private loaderState: number[] = [];
  private lossList: number[] = [];
  private accuracyList: number[] = [];
  private bestA = 0;
  private metrics: MetricRow[] = [];
  private started = performance.now();
  private secondsBefore = 0;
  private epochStart = 0;
  private lastLoss: number | null = null;
  /** Whether this epoch's training is over (its evaluation, if one is due, runs before the loop can stop). */
  private epochEnded = false;
  private lastYield = performance.now();
  /** Samples per second over the last whole epoch (known once an epoch has ended). */
  private epochRate: number | null = null;
  private model!: Module;
  private optimizer!: Optimizer;
  private train!: Loader;

  constructor(
    /** The program this run belongs to. */
    readonly example: Example,
    readonly config: Config,
  ) {
    this.reporter = createReporter(config.json);
    prepareOutDir(config.out);
    process.on('SIGINT', () => {
      if (this.stopping) process.exit(130);
      this.stop('interrupted (Ctrl-C); press it again to quit without saving');
    });
  }

  /** Runs main with the program's error handling: user errors are one line and exit code 2. */
  static async main(main: () => Promise<void>): Promise<void> {
    try {
      await main();
    } catch (e) {
      const code = e instanceof UsageError ? 2 : e instanceof DivergedError || isFileError(e) ? 1 : null;
      if (code === null) throw e;
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = code;
    } finally {
      if (getDefaultDevice().type === 'webgpu') shutdown();
    }
  }

  private get checkpointPath(): string {
    return join(this.config.out, 'last.ckpt.safetensors');
  }

  private get format(): string {
    return checkpointFormat(this.example.name);
  }

  /** The batches an epoch trains on: the training loader's, or fewer with --steps-per-epoch. */
  get stepsPerEpoch(): number {
    return Math.min(this.train.length, this.config.stepsPerEpoch ?? Infinity);
  }

  private stop(reason: string): void {
    this.stopping = true;
    this.stopReason ??= reason;
  }

  private elapsed(): number {
    return this.secondsBefore + (performance.now() - this.started) / 1000;
  }

  async begin(model: Module, optimizer: Optimizer, train: Loader, test: Loader): Promise<void> {
    Object.assign(this, { model, optimizer, train });
    await ready(train.dataset, this.config);
    await ready(test.dataset, this.config);
    if (this.config.init) await this.loadInit(this.config.init);
    if (this.config.resume) await this.resume(this.config.resume);
    const device = getDefaultDevice();
    this.reporter.emit({
      type: 'start',
      device: device.type === 'webgpu' ? `webgpu (${device.gpu.adapterInfo.description}, ${device.gpu.backend})` : 'cpu',
      dataset: this.config.dataset,
      trainSize: train.dataset.length,
      testSize: test.dataset.length,
      epochs: this.config.epochs,
      steps: this.stepsPerEpoch,
    });
  }

  private async loadInit(path: string): Promise<void> {
    if (!existsSync(path)) throw new UsageError(`--init: no such file '${path}'`);
    try {
      await loadWeights(this.model, path);
    } catch (e) {
      throw new UsageError(`--init: ${(e as Error).message}${await checkpointHint(path, this.format)}`);
    }
  }

  private async resume(path: string): Promise<void> {
    if (!existsSync(path)) throw new UsageError(`--resume: no such file '${path}'`);
    let progress: Progress;
    try {
      const expected = { flags: trainingFlags(this.config), stepsPerEpoch: this.stepsPerEpoch };
      progress = await loadCheckpoint(path, { format: this.format, kind: this.example.title }, this.model, this.optimizer, expected);
    } catch (e) {
      throw new UsageError(`--resume: checkpoint '${path}': ${(e as Error).message}`);
    }
    this.epoch = progress.epoch;
    this.skip = progress.step;
    this.stepsDone = progress.epoch * this.stepsPerEpoch + progress.step;
    this.firstEpoch = progress.epoch;
    this.train.generator.setState(progress.loaderState);
    this.lossList = progress.lossList;
    this.accuracyList = progress.accuracyList;
    this.bestA = progress.bestA;
    this.secondsBefore = progress.seconds;
    this.lastLoss = progress.lastLoss;
    this.metrics = progress.metrics;
  }

  /**
   * Before each epoch: saves the checkpoint (from the second epoch of this run on) and remembers
   * the state the loader will draw this epoch's order from, so a resumed run draws it again.
   */
  async startEpoch(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.step = 0;
    this.epochEnded = false;
    this.loaderState = this.train.generator.getState();
    if (epoch > this.firstEpoch) await this.saveCheckpoint();
    this.epochStart = performance.now();
    this.stepsThisEpoch = 0;
  }

  /**
   * The loader's batches with their index, minus those a resumed run already did in this epoch,
   * up to --steps-per-epoch.
   */
  async *enumerate(loader: Loader): AsyncGenerator<[number, [Tensor, Tensor]]> {
    let j = 0;
    for await (const batch of loader) {
      if (j < this.skip) this.step = j + 1;
      else yield [j, batch];
      if (++j === this.stepsPerEpoch) break;
    }
    this.skip = 0;
  }

  /** The best model a resumed run had kept (best.safetensors), or null. */
  async restoreBest<M extends Module>(create: () => M): Promise<M | null> {
    const path = join(this.config.out, 'best.safetensors');
    if (!this.config.resume || this.accuracyList.length === 0 || !existsSync(path)) return null;
    const model = create();
    await loadWeights(model, path);
    return model;
  }

  private progress(): Progress {
    return {
      epoch: this.epoch,
      step: this.step,
      loaderState: this.loaderState,
      lossList: this.lossList,
      accuracyList: this.accuracyList,
      bestA: this.bestA,
      seconds: this.elapsed(),
      lastLoss: this.lastLoss,
      metrics: this.metrics,
      flags: trainingFlags(this.config),
    };
  }

  /** Writes the checkpoint, unless the weights went non-finite: then the last good one stays. */
  private async saveCheckpoint(): Promise<void> {
    await this.refuseNonFinite(this.model, this.checkpointPath);
    await saveCheckpoint(this.checkpointPath, this.format, this.model, this.optimizer, this.progress());
  }

  private async refuseNonFinite(model: Module, path: string): Promise<void> {
    const bad = await nonFiniteWeights(model);
    if (!bad) return;
    const kept = existsSync(path) ? `'${path}' keeps the last good weights` : `nothing was written to '${path}'`;
    throw new DivergedError(
      `the weights hold ${bad} at epoch ${this.epoch + 1}, step ${this.step} (step ${this.stepsDone} of the run); ${kept}. Try a lower --lr.`,
    );
  }

  /** After each training step: reads the loss when it is logged, checks it, updates the progress bar. */
  async afterStep(loss: Tensor, lastOfEpoch: boolean): Promise<void> {
    this.step++;
    this.stepsDone++;
    this.stepsThisEpoch++;
    const { logEvery, maxSteps, batchSize } = this.config;
    const logged = logEvery !== null && this.stepsDone % logEvery === 0;
    if (logged || lastOfEpoch) {
      const value = await loss.item();
      if (!Number.isFinite(value)) {
        loss.dispose();
        throw new DivergedError(
          `the loss became ${value} at epoch ${this.epoch + 1}, step ${this.step} (step ${this.stepsDone} of the run); ` +
            `the last good checkpoint is ${existsSync(this.checkpointPath) ? this.checkpointPath : 'not written yet'}. Try a lower --lr.`,
        );
      }
      this.lastLoss = value;
      if (logged) {
        const rate = (this.stepsThisEpoch * batchSize) / ((performance.now() - this.epochStart) / 1000);
        this.reporter.emit({ type: 'step', epoch: this.epoch + 1, step: this.step, loss: value, samplesPerSecond: rate });
        this.metrics.push({ epoch: this.epoch + 1, step: this.stepsDone, loss: value, trainAccuracy: '', seconds: this.elapsed() });
      }
      if (lastOfEpoch) this.lossList.push(value);
    }
    loss.dispose();
    if (performance.now() - this.lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve)); // lets a Ctrl-C in
      this.lastYield = performance.now();
    }
    // Steps are recorded ahead of the GPU; only a readback (the epoch's end) says how fast it really went.
    this.reporter.progress(this.epoch + 1, this.config.epochs, this.step, this.stepsPerEpoch, this.lastLoss, this.epochRate);
    if (maxSteps !== null && this.stepsDone >= maxSteps) this.stop(`--max-steps ${maxSteps} reached`);
  }

  endEpoch(): void {
    this.epochEnded = true;
    const seconds = (performance.now() - this.epochStart) / 1000;
    this.epochRate = (this.stepsThisEpoch * this.config.batchSize) / seconds;
    this.reporter.emit({ type: 'epoch', epoch: this.epoch + 1, loss: this.lastLoss ?? NaN, seconds, samplesPerSecond: this.epochRate });
    this.metrics.push({ epoch: this.epoch + 1, step: this.stepsDone, loss: this.lastLoss ?? '', trainAccuracy: '', seconds: this.elapsed() });
  }

  /** Records a training accuracy; true when it is the best so far (the seed keeps that model). */
  recordAccuracy(accuracy: number, seconds: number): boolean {
    this.accuracyList.push(accuracy);
    const best = accuracy >= this.bestA;
    if (best) this.bestA = accuracy;
    this.reporter.emit({ type: 'eval', epoch: this.epoch + 1, accuracy, seconds, best });
    this.metrics.push({ epoch: this.epoch + 1, step: this.stepsDone, loss: '', trainAccuracy: accuracy, seconds: this.elapsed() });
    return best;
  }

  async saveBest(model: Module): Promise<void> {
    const path = join(this.config.out, 'best.safetensors');
    await this.refuseNonFinite(model, path);
    await saveWeights(model, path);
  }

  /** Writes the last checkpoint and metrics.csv. */
  async finish(): Promise<void> {
    if (this.epochEnded || !this.stopping) {
      // An ended epoch (its evaluation included) is done: a resumed or longer run starts the next
      // one, from the generator's current state (the evaluation drew from it too).
      if (this.epochEnded) this.epoch++;
      this.step = 0;
      this.loaderState = this.train.generator.getState();
    }
    await this.saveCheckpoint();
    if (this.stopping) {
      this.reporter.emit({ type: 'stopped', reason: this.stopReason!, checkpoint: this.checkpointPath });
      if (this.stopReason?.startsWith('interrupted')) process.exitCode = 130;
    }
    const header = 'epoch,step,loss,train_accuracy,seconds';
    const rows = this.metrics.map((m) => [m.epoch, m.step, m.loss, m.trainAccuracy, m.seconds.toFixed(3)].join(','));
    writeFileAtomic(join(this.config.out, 'metrics.csv'), [header, ...rows].join('\n') + '\n');
  }

  /** The seed's two plots: the loss of each epoch's last batch, and the training accuracy. */
  async draw(): Promise<void> {
    // Vega takes a third of a second to import: loaded only when a run gets this far.
    const { drawChart } = await import('./plot.ts');
    const points = (values: number[], every: number) => values.map((y, i) => ({ x: (i + 1) * every, y }));
    await drawChart({ title: this.config.dataset, ylabel: 'loss', xlabel: 'epoch', points: points(this.lossList, 1) }, join(this.config.out, 'loss'));
    await drawChart(
      { title: 'training accuracy', ylabel: 'accuracy', xlabel: `epoch (every ${this.config.evalEvery})`, points: points(this.accuracyList, this.config.evalEvery) },
      join(this.config.out, 'accuracy'),
    );
  }

  /**
   * Reports the test accuracy and writes run.json. The accuracy is a fraction (the seed's mean of
   * batch accuracies) or the count of correct predictions out of a total.
   */
  summary(test: number | { correct: number; total: number }): void {
    const seconds = this.elapsed();
    const device = getDefaultDevice();
    // null when no evaluation ran (fewer epochs than --eval-every): there is no best accuracy to report.
    const bestTrainAccuracy = this.accuracyList.length ? this.bestA : null;
    const counts = typeof test === 'number' ? {} : { testCorrect: test.correct, testTotal: test.total };
    const testAccuracy = typeof test === 'number' ? test : test.correct / test.total;
    const results = { bestTrainAccuracy, testAccuracy, ...counts, seconds, minutes: seconds / 60 };
    // What was trained, and how: the same for a run and for that run resumed (--resume is left out).
    const { resume: _resume, ...config } = this.config;
    writeFileAtomic(
      join(this.config.out, 'run.json'),
      JSON.stringify(
        {
          config,
          device: device.type,
          adapter: device.type === 'webgpu' ? { ...adapterInfo(device.gpu.adapterInfo), backend: device.gpu.backend } : null,
          results,
          lossList: this.lossList,
          accuracyList: this.accuracyList,
        },
        null,
        2,
      ) + '\n',
    );
    this.reporter.emit({ type: 'summary', ...results, evalEvery: this.config.evalEvery, out: this.config.out });
  }
}

function adapterInfo(info: GPUAdapterInfo): Record<string, string> {
  return { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description };
}
