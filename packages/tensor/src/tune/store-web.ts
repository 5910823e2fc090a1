/**
 * The tuning cache in a web page: none is kept (IndexedDB is asynchronous, and the choice of a
 * kernel is made synchronously when a product is recorded), so each page load tunes afresh in
 * memory. Selected by `#tune-store` wherever the `node` condition does not apply.
 */
import { memoryTuneStore, type TuneStore } from './cache.ts';

/** The store a web page uses: memory only. */
export function defaultTuneStore(): TuneStore {
  return memoryTuneStore();
}
