/**
 * The page's Run: what the Node example's Run does around the seed's loop (progress, evaluation
 * records, the best model, metrics.csv), for a web page. It reads the loss after every step, so
 * that the page can draw it and yield between steps (the page stays responsive), and it can be
 * paused and resumed between two steps.
 */
import { serialize, type Module } from '@mini/nn';
import type { Optimizer } from '@mini/optim';
import type { Tensor } from '@mini/tensor';
import type { ImageLoader, TrainingRun } from '@mini/example-threenet/training';

/** What the page shows, sent after every step and at each event of the run. */
export interface RunState {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** The loss of the latest step. */
  loss: number | null;
  /** The first step's loss. */
  firstLoss: number | null;
  /** Training samples per second over the current epoch. */
  samplesPerSecond: number | null;
  /** The loss of the last batch of each epoch (the seed's plot). */
  lossList: number[];
  /** The training accuracy every evalEvery epochs (the seed's other plot). */
  accuracyList: number[];
  bestAccuracy: number | null;
  testAccuracy: number | null;
  paused: boolean;
  done: boolean;
}

/** One row of metrics.csv, as the Node example writes it. */
interface MetricRow {
  epoch: number;
  step: number;
  loss: number | '';
  trainAccuracy: number | '';
  seconds: number;
}

/** The page's run of `epochs` epochs of at most `stepsPerEpoch` batches of `batchSize`. */
export class PageRun implements TrainingRun {
  epoch = 0;
  stopping = false;
  /** safetensors bytes of the best model so far, for the download button. */
  bestBytes: Uint8Array | null = null;
  private readonly state: RunState;
  private readonly metrics: MetricRow[] = [];
  private readonly started = performance.now();
  private epochStart = 0;
  private stepsThisEpoch = 0;
  private stepsDone = 0;
  private resume: (() => void) | null = null;
  private pauseWanted = false;

  constructor(
    private readonly options: { epochs: number; batchSize: number; evalEvery: number; trainSize: number },
    private readonly onChange: (state: Readonly<RunState>) => void,
  ) {
    const stepsPerEpoch = Math.ceil(options.trainSize / options.batchSize);
    this.state = {
      epoch: 0, epochs: options.epochs, step: 0, stepsPerEpoch, loss: null, firstLoss: null, samplesPerSecond: null,
      lossList: [], accuracyList: [], bestAccuracy: null, testAccuracy: null, paused: false, done: false,
    };
  }

  get stepsPerEpoch(): number {
    return this.state.stepsPerEpoch;
  }

  /** Stops after the step in flight, until unpause(); the state says paused once it has stopped. */
  pause(): void {
    this.pauseWanted = true;
  }

  /** Goes on after pause(). */
  unpause(): void {
    this.pauseWanted = false;
    this.state.paused = false;
    this.resume?.();
    this.resume = null;
    this.onChange(this.state);
  }

  async begin(_module: Module, _optimizer: Optimizer, _train: ImageLoader, _test: ImageLoader): Promise<void> {
    this.onChange(this.state);
  }

  /** A page run starts afresh: there is no earlier best model. */
  async restoreBest<M extends Module>(_create: () => M): Promise<M | null> {
    return null;
  }

  async startEpoch(epoch: number): Promise<void> {
    this.epoch = this.state.epoch = epoch;
    this.state.step = 0;
    this.stepsThisEpoch = 0;
    this.epochStart = performance.now();
  }

  async *enumerate(loader: ImageLoader): AsyncGenerator<[number, [Tensor, Tensor]]> {
    let j = 0;
    for await (const batch of loader) {
      yield [j, batch];
      if (++j === this.stepsPerEpoch) break;
    }
  }

  async afterStep(loss: Tensor, lastOfEpoch: boolean): Promise<void> {
    const value = await loss.item();
    loss.dispose();
    if (!Number.isFinite(value)) throw new Error(`the loss became ${value} at epoch ${this.epoch + 1}, step ${this.state.step + 1}; try a lower lr`);
    this.state.step++;
    this.stepsThisEpoch++;
    this.stepsDone++;
    this.state.loss = value;
    this.state.firstLoss ??= value;
    this.state.samplesPerSecond = (this.stepsThisEpoch * this.options.batchSize) / ((performance.now() - this.epochStart) / 1000);
    if (lastOfEpoch) this.state.lossList.push(value);
    this.onChange(this.state);
    // a task boundary: the page paints and handles clicks between two steps
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (this.pauseWanted) {
      this.state.paused = true;
      this.onChange(this.state);
      await new Promise<void>((resolve) => (this.resume = resolve));
    }
  }

  endEpoch(): void {
    this.metrics.push({ epoch: this.epoch + 1, step: this.stepsDone, loss: this.state.loss ?? '', trainAccuracy: '', seconds: this.elapsed() });
  }

  recordAccuracy(accuracy: number, _seconds: number): boolean {
    this.state.accuracyList.push(accuracy);
    const best = accuracy >= (this.state.bestAccuracy ?? 0);
    if (best) this.state.bestAccuracy = accuracy;
    this.metrics.push({ epoch: this.epoch + 1, step: this.stepsDone, loss: '', trainAccuracy: accuracy, seconds: this.elapsed() });
    this.onChange(this.state);
    return best;
  }

  async saveBest(module: Module): Promise<void> {
    this.bestBytes = await serialize(module.stateDict(), { format: 'pt', writer: 'examples/threenet-web' });
  }

  async finish(): Promise<void> {}

  /** The charts are drawn live, as the run goes. */
  async draw(): Promise<void> {}

  summary(testAccuracy: number): void {
    this.state.testAccuracy = testAccuracy;
    this.state.done = true;
    this.onChange(this.state);
  }

  /** metrics.csv, with the Node example's columns. */
  metricsCsv(): string {
    const header = 'epoch,step,loss,train_accuracy,seconds';
    const rows = this.metrics.map((m) => [m.epoch, m.step, m.loss, m.trainAccuracy, m.seconds.toFixed(3)].join(','));
    return [header, ...rows].join('\n') + '\n';
  }

  private elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }
}
