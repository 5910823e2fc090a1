/**
 * A page for tune-cache.test.ts: with the tuner in quick mode, one product of a fresh shape class
 * is computed (and checked), the tuner is let finish, and the page tells what it found in
 * `window.tuneResult`. ?corrupt=1 first overwrites the stored cache with text that is not one;
 * ?no-indexeddb=1 hides IndexedDB from the library, as a browser that refuses storage does.
 */
import * as torch from '../../../src/index.ts';
import { setTuneMode, tunerFor, tuneStoreWritten } from '../../../src/internal.ts';
import type { TuneResult } from './result.ts';

async function overwriteStoredCache(text: string): Promise<void> {
  const request = indexedDB.open('mini', 1);
  request.onupgradeneeded = () => request.result.createObjectStore('tuning');
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = db.transaction('tuning', 'readwrite');
  tx.objectStore('tuning').put(text, 'matmul-tune.json');
  await new Promise((resolve) => (tx.oncomplete = resolve));
  db.close();
}

async function main(): Promise<TuneResult> {
  const query = new URLSearchParams(location.search);
  if (query.has('corrupt')) await overwriteStoredCache('{"version": 1, "adapt');
  if (query.has('no-indexeddb')) Object.defineProperty(globalThis, 'indexedDB', { value: undefined });
  setTuneMode('quick');
  const device = await torch.init('webgpu');
  const [M, K, N] = [40, 24, 36];
  const a = torch.rand([M, K], { device: 'cpu' });
  const b = torch.rand([K, N], { device: 'cpu' });
  const product = torch.matmul(a.to(device), b.to(device));
  const cpu = torch.matmul(a, b);
  const [got, want] = [await product.toArray(), await cpu.toArray()];
  const productError = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])));
  const tuner = tunerFor(device);
  await tuner.idle();
  await tuneStoreWritten();
  const kernels = Object.fromEntries(Object.entries(tuner.choices()).map(([cls, e]) => [cls, { kernel: e.kernel, tunedAt: e.tunedAt }]));
  return { where: tuner.store.where, tuned: tuner.outcomes.map((o) => o.shapeClass), kernels, productError };
}

const publish = (result: TuneResult) => ((window as unknown as { tuneResult: TuneResult }).tuneResult = result);
main().then(publish, (e: Error) => publish({ where: '', tuned: [], kernels: {}, productError: NaN, error: e.stack ?? e.message }));
