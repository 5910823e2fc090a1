/**
 * What the run tells the user: a progress bar per epoch on a terminal, plain lines otherwise,
 * or one JSON object per line with --json.
 */
export type Event =
  | { type: 'start'; device: string; dataset: string; trainSize: number; testSize: number; epochs: number; steps: number }
  | { type: 'step'; epoch: number; step: number; loss: number; samplesPerSecond: number }
  | { type: 'epoch'; epoch: number; loss: number; seconds: number; samplesPerSecond: number }
  | { type: 'eval'; epoch: number; accuracy: number; seconds: number; best: boolean }
  | {
      type: 'summary';
      bestTrainAccuracy: number | null;
      testAccuracy: number;
      /** The correct predictions out of the test images, when the example counts them. */
      testCorrect?: number;
      testTotal?: number;
      minutes: number;
      seconds: number;
      evalEvery: number;
      out: string;
    }
  | { type: 'stopped'; reason: string; checkpoint: string | null };

export interface Reporter {
  emit(event: Event): void;
  /** Redraws the progress bar (terminal only). */
  progress(epoch: number, epochs: number, done: number, total: number, loss: number | null, samplesPerSecond: number | null): void;
}

const pct = (x: number) => `${(x * 100).toFixed(3)} %`;

/** Lines that read like the seed's prints. */
function describe(event: Event): string {
  switch (event.type) {
    case 'start':
      return `training on ${event.device}: ${event.dataset}, ${event.trainSize} train / ${event.testSize} test images, ${event.epochs} epochs of ${event.steps} steps`;
    case 'step':
      return `epoch: ${event.epoch} step: ${event.step} loss: ${event.loss.toFixed(4)} (${Math.round(event.samplesPerSecond)} samples/s)`;
    case 'epoch':
      return `epoch: ${event.epoch} time: ${event.seconds.toFixed(2)} s loss: ${event.loss.toFixed(4)} (${Math.round(event.samplesPerSecond)} samples/s)`;
    case 'eval':
      return `epoch: ${event.epoch} time: ${event.seconds.toFixed(2)} s accuracy: ${pct(event.accuracy)}${event.best ? ' (best)' : ''}`;
    case 'summary':
      return [
        event.bestTrainAccuracy === null
          ? `no evaluation ran: the training accuracy is measured every ${event.evalEvery} epochs (--eval-every), and the run ended before one`
          : `best train accuracy is ${pct(event.bestTrainAccuracy)}`,
        `test accuracy is ${pct(event.testAccuracy)}${event.testCorrect === undefined ? '' : ` (${event.testCorrect}/${event.testTotal})`}`,
        `all train and test need time: ${event.minutes.toFixed(2)} minutes`,
        `outputs in ${event.out}`,
      ].join('\n');
    case 'stopped':
      return `stopped: ${event.reason}${event.checkpoint ? `; checkpoint: ${event.checkpoint}` : ''}`;
  }
}

export function createReporter(json: boolean, stream: NodeJS.WriteStream = process.stdout): Reporter {
  if (json) {
    return { emit: (event) => stream.write(`${JSON.stringify(event)}\n`), progress: () => {} };
  }
  let barShown = false;
  const clearBar = () => {
    if (barShown) stream.write('\r\x1b[K');
    barShown = false;
  };
  return {
    emit(event) {
      clearBar();
      stream.write(`${describe(event)}\n`);
    },
    progress(epoch, epochs, done, total, loss, samplesPerSecond) {
      if (!stream.isTTY) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      const bar = '='.repeat(Math.max(0, filled - 1)) + (filled ? '>' : '') + ' '.repeat(width - filled);
      const lossText = loss === null ? '' : ` loss ${loss.toFixed(4)}`;
      const rateText = samplesPerSecond === null ? '' : ` ${Math.round(samplesPerSecond)} samples/s`;
      stream.write(`\r\x1b[Kepoch ${epoch}/${epochs} [${bar}] ${done}/${total}${lossText}${rateText}`);
      barShown = true;
    },
  };
}
