import { fill_, zeros, type Device } from '@mini/tensor';
import { stat, type Stat } from './stats.ts';

export interface DispatchResult {
  /** Wall time per dispatch: recording it in JS and running it, many in one submit. */
  perDispatch: Stat;
  /** Of that, the JS side: the op, its params, pipeline and bind group lookup, the encoder call. */
  recordOnly: Stat;
  dispatchesPerSubmit: number;
  /** A 4-byte readback round trip after the queue is idle. */
  readback: Stat;
}

/** µs per dispatch: a one-element fill_, recorded many times into one submit. */
export async function benchDispatch(device: Device, runs: number): Promise<DispatchResult> {
  const gpu = device.gpu;
  const t = zeros([1], { device });
  const perSubmit = 250;
  const submits = 8;
  const once = async () => {
    gpu.flush();
    await gpu.settle();
    let recording = 0;
    const t0 = performance.now();
    for (let s = 0; s < submits; s++) {
      const r0 = performance.now();
      for (let i = 0; i < perSubmit; i++) fill_(t, i);
      recording += performance.now() - r0;
      gpu.flush();
    }
    await gpu.settle();
    const n = perSubmit * submits;
    return { total: ((performance.now() - t0) * 1000) / n, record: (recording * 1000) / n };
  };
  await once();
  const totals: number[] = [];
  const records: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { total, record } = await once();
    totals.push(total);
    records.push(record);
  }
  const trips: number[] = [];
  await t.item();
  for (let i = 0; i < runs; i++) {
    const r0 = performance.now();
    await t.item();
    trips.push((performance.now() - r0) * 1000);
  }
  t.dispose();
  return { perDispatch: stat(totals), recordOnly: stat(records), dispatchesPerSubmit: perSubmit, readback: stat(trips) };
}
