import { memory, type Device } from '@mini/tensor';
import { mapStat, stat, type Stat } from './stats.ts';
import { ThreeNetTrainer } from './threenet.ts';

export interface ThreeNetResult {
  epochSeconds: Stat;
  stepMicros: Stat;
  /** JS time per step spent recording it (it shares the 2 cores with the software GPU). */
  recordMicros: Stat;
  stepsPerEpoch: number;
  dispatchesPerStep: number;
  submitsPerEpoch: number;
  /** GPU buffers created in each epoch, the warm-up first (a steady loop creates none). */
  buffersCreated: number[];
  liveBytesAfterEpoch1: number;
  liveBytesAfterEpoch3: number;
  pooledBytes: number;
  finalLoss: number;
}

/** One epoch of `trainer` on a new shuffle, timed to its last loss read back. */
export async function timeEpoch(trainer: ThreeNetTrainer): Promise<{ seconds: number; recordingMs: number; loss: number }> {
  const t0 = performance.now();
  let recordingMs = 0;
  trainer.shuffle();
  let last = null;
  for (let s = 0; s < trainer.stepsPerEpoch; s++) {
    last?.dispose();
    const r0 = performance.now();
    last = trainer.step(s);
    recordingMs += performance.now() - r0;
  }
  const loss = await last!.item();
  last!.dispose();
  return { seconds: (performance.now() - t0) / 1000, recordingMs, loss };
}

/** The ThreeNet epoch of the GPU-resident path: one warm-up epoch, then `epochs` timed ones. */
export async function benchThreeNet(device: Device, epochs: number, log: (line: string) => void): Promise<ThreeNetResult> {
  const gpu = device.gpu;
  gpu.trim(); // the pool starts empty: what it holds at the end is ThreeNet's
  const trainer = new ThreeNetTrainer(device);
  const steps = trainer.stepsPerEpoch;
  const live: number[] = [];
  const seconds: number[] = [];
  const record: number[] = [];
  let dispatches = 0;
  let submits = 0;
  const created: number[] = [];
  let loss = NaN;
  for (let e = 0; e <= epochs; e++) {
    const [d0, s0, c0] = [gpu.dispatchCount, gpu.submitCount, gpu.pool.created];
    const epoch = await timeEpoch(trainer);
    loss = epoch.loss;
    live.push(memory().liveBytes);
    created.push(gpu.pool.created - c0);
    if (e > 0) {
      seconds.push(epoch.seconds);
      record.push((epoch.recordingMs * 1000) / steps);
      dispatches += gpu.dispatchCount - d0;
      submits += gpu.submitCount - s0;
    }
    log(`  epoch ${e + 1}${e === 0 ? ' (warm-up)' : ''}: ${epoch.seconds.toFixed(2)} s, loss ${loss.toFixed(4)}, live ${(live[e] / 2 ** 20).toFixed(2)} MiB, ${created[e]} GPU buffers created`);
  }
  const epochSeconds = stat(seconds);
  return {
    epochSeconds,
    stepMicros: mapStat(epochSeconds, (s) => (s * 1e6) / steps),
    recordMicros: stat(record),
    stepsPerEpoch: steps,
    dispatchesPerStep: dispatches / (epochs * steps),
    submitsPerEpoch: submits / epochs,
    buffersCreated: created,
    liveBytesAfterEpoch1: live[0],
    liveBytesAfterEpoch3: live[2],
    pooledBytes: memory().pooledBytes,
    finalLoss: loss,
  };
}
