import { flush, webgpuIfReady } from './device/device.ts';
import { memoryCounts, type MemoryInfo } from './storage.ts';
import type { Tensor } from './tensor.ts';

/** Open tidy() scopes, innermost last; each holds the tensors created inside it. */
const scopes: Set<Tensor>[] = [];
/** For each open scope, what runs once it has closed and freed its tensors (see atScopeEnd). */
const endings: (() => void)[][] = [];

/** Runs fn when the innermost open tidy() scope has closed and freed its tensors, or now outside of any. */
export function atScopeEnd(fn: () => void): void {
  const pending = endings.at(-1);
  if (pending) pending.push(fn);
  else fn();
}

export function trackInScope(t: Tensor): void {
  scopes.at(-1)?.add(t);
}

/**
 * Submits every recorded GPU command once the innermost open tidy() scope has closed (now, outside
 * of any): the tensors it frees are then known to be unread, which lets the submit fuse more (a
 * ReLU into the product before it). Optimizers' step() ends a training step with it.
 */
export function flushAtScopeEnd(): void {
  atScopeEnd(flush);
}

/** Tensors keep() was called on: owners that release what they handed out (DataLoader's batches) leave them alone. */
const kept = new WeakSet<Tensor>();

/**
 * Keeps a tensor alive past the tidy() scopes it was created in (like tf.keep), and past the
 * release of a DataLoader batch it belongs to.
 */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  for (const scope of scopes) scope.delete(t);
  return t;
}

/** Whether keep() was called on t. */
export function isKept(t: Tensor): boolean {
  return kept.has(t);
}

function collectTensors(value: unknown, into: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(value)) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, into, isTensor);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into, isTensor);
  }
}

let tensorCheck: ((v: unknown) => v is Tensor) | null = null;
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  tensorCheck = check;
}

/**
 * Runs fn and disposes every tensor created inside it, except those it returns (alone, in an
 * array or in a plain object) and those kept with keep(). Like tf.tidy; fn must not be async.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  const pending: (() => void)[] = [];
  endings.push(pending);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    // What fn created before it threw is freed too, as tf.tidy does.
    for (const t of scope) t.dispose();
    endings.pop();
    for (const f of pending) atScopeEnd(f);
    throw error;
  } finally {
    scopes.pop();
  }
  endings.pop();
  if (result instanceof Promise) throw new Error('tidy() takes a synchronous function; await outside of it');
  const returned = new Set<Tensor>();
  collectTensors(result, returned, tensorCheck!);
  for (const t of scope) {
    if (returned.has(t)) scopes.at(-1)?.add(t);
    else t.dispose();
  }
  for (const f of pending) atScopeEnd(f);
  return result;
}

/** Live tensors and bytes, and what the GPU pool holds. */
export function memory(): MemoryInfo {
  const pool = webgpuIfReady()?.gpu.pool;
  return { ...memoryCounts(), pooledBytes: pool?.pooledBytes ?? 0, gpuBuffersCreated: pool?.created ?? 0 };
}
