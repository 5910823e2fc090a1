import { describe, expect, it } from 'vitest';
import { createReporter } from '../src/reporter.ts';

function stream(isTTY: boolean): { out: string[]; stream: NodeJS.WriteStream } {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) > 0 } as unknown as NodeJS.WriteStream };
}

describe('the run reporter', () => {
  it('draws a progress bar with loss and samples per second on a terminal, and clears it before a line', () => {
    const tty = stream(true);
    const reporter = createReporter(false, tty.stream);
    reporter.progress(2, 60, 8, 32, 0.4321, 12345.6);
    expect(tty.out.at(-1)).toBe('\r\x1b[Kepoch 2/60 [=======>                      ] 8/32 loss 0.4321 12346 samples/s');
    reporter.emit({ type: 'epoch', epoch: 2, loss: 0.4321, seconds: 0.7, samplesPerSecond: 11000 });
    expect(tty.out.slice(-2)).toEqual(['\r\x1b[K', 'epoch: 2 time: 0.70 s loss: 0.4321 (11000 samples/s)\n']);
  });

  it('prints plain lines only when stdout is not a terminal', () => {
    const pipe = stream(false);
    const reporter = createReporter(false, pipe.stream);
    reporter.progress(1, 60, 1, 32, null, null);
    reporter.emit({ type: 'eval', epoch: 20, accuracy: 0.92188, seconds: 0.23, best: true });
    expect(pipe.out).toEqual(['epoch: 20 time: 0.23 s accuracy: 92.188 % (best)\n']);
  });

  it('shows the test accuracy as correct/total when the example counts them', () => {
    const pipe = stream(false);
    createReporter(false, pipe.stream).emit({
      type: 'summary', bestTrainAccuracy: 0.98, testAccuracy: 0.9765, testCorrect: 1953, testTotal: 2000, minutes: 2, seconds: 120, evalEvery: 1, out: 'runs/lenet',
    });
    expect(pipe.out[0]).toContain('test accuracy is 97.650 % (1953/2000)\n');
  });

  it('writes one JSON object per line with --json', () => {
    const pipe = stream(true);
    const reporter = createReporter(true, pipe.stream);
    reporter.progress(1, 60, 1, 32, null, null);
    reporter.emit({ type: 'summary', bestTrainAccuracy: 0.9, testAccuracy: 0.88, minutes: 0.7, seconds: 42, evalEvery: 20, out: 'runs/x' });
    expect(pipe.out).toHaveLength(1);
    expect(JSON.parse(pipe.out[0])).toEqual({ type: 'summary', bestTrainAccuracy: 0.9, testAccuracy: 0.88, minutes: 0.7, seconds: 42, evalEvery: 20, out: 'runs/x' });
  });
});
