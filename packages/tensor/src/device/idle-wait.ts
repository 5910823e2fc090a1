import { isNode } from '../env.ts';

const cell = typeof SharedArrayBuffer === 'undefined' ? null : new Int32Array(new SharedArrayBuffer(4));
/** Node's main thread may block in Atomics.wait (a page's may not) and has setImmediate. */
const canBlock = cell !== null && isNode();

/** How long the thread sleeps between two polls of Dawn's events, by default. */
const NAP_MS = 0.25;
/** Polls without sleeping for this long first: a short wait (an idle queue) keeps its latency. */
const SPIN_MS = 0.2;

/**
 * Awaits a WebGPU promise without letting Dawn's Node bindings spin. While any of its promises is
 * pending (mapAsync, onSubmittedWorkDone, popErrorScope), dawn.node polls for events in a
 * setImmediate loop that keeps one core fully busy; with a CPU adapter (lavapipe) on two cores
 * that takes half the cores from the GPU's own threads (measured: 40 matmuls 102-113 ms spinning,
 * 54-62 ms this way). Here, after SPIN_MS of plain polling, each turn of the event loop first
 * sleeps `napMs`, so Dawn still polls about 4000 times a second by default and the cores are left
 * to the work being waited for. A wait whose end is not urgent naps longer: each poll costs the
 * thread CPU time that a CPU adapter's own threads would have had.
 */
export async function idleWait<T>(promise: Promise<T>, napMs = NAP_MS): Promise<T> {
  if (!canBlock) return promise;
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  const start = performance.now();
  while (!settled) {
    if (performance.now() - start > SPIN_MS) Atomics.wait(cell!, 0, 0, napMs);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return promise;
}
