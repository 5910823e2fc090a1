/**
 * The tuning cache in a web page: the same file as Node's (cache.ts's format, one record) in the
 * page's IndexedDB, database `mini`, object store `tuning`, key `matmul-tune.json`. IndexedDB is
 * asynchronous and a kernel is chosen synchronously when a product is recorded, so `init()` reads
 * the record once (prepareTuneStore) and the store serves that copy; a save updates the copy and
 * writes the record in the background. An unreadable record, or an IndexedDB that is missing or
 * refuses (private windows, blocked storage), is a warning: the page then tunes in memory.
 * Selected by `#tune-store` wherever the `node` condition does not apply.
 */
import { warn } from '../env.ts';
import { parseTuneFile, type TuneFile, type TuneStore } from './cache.ts';

// The little of IndexedDB this file uses (the core compiles without the DOM's types).
interface IdbRequest<T> {
  readonly result: T;
  readonly error: Error | null;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
  onblocked: (() => void) | null;
}
interface IdbDatabase {
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite'): IdbTransaction;
  close(): void;
}
interface IdbTransaction {
  objectStore(name: string): { get(key: string): IdbRequest<unknown>; put(value: string, key: string): unknown };
  readonly error: Error | null;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

const DATABASE = 'mini';
const OBJECT_STORE = 'tuning';
const KEY = 'matmul-tune.json';
const WHERE = `IndexedDB ${DATABASE}/${OBJECT_STORE}/${KEY}`;

let loaded: TuneFile | null = null;
let usable = false;
let preparing: Promise<void> | null = null;

function settled<T>(request: IdbRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function openDatabase(): Promise<IdbDatabase> {
  const factory = (globalThis as { indexedDB?: { open(name: string, version: number): IdbOpenRequest } }).indexedDB;
  if (!factory) return Promise.reject(new Error('this page has no indexedDB'));
  const request = factory.open(DATABASE, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(OBJECT_STORE);
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'));
    request.onblocked = () => reject(new Error('indexedDB.open is blocked by another page'));
  });
}

async function readRecord(): Promise<void> {
  let text: unknown;
  try {
    const db = await openDatabase();
    try {
      text = await settled(db.transaction(OBJECT_STORE, 'readonly').objectStore(OBJECT_STORE).get(KEY));
    } finally {
      db.close();
    }
  } catch (e) {
    warn(`mini: cannot read the matmul tuning cache from ${WHERE} (${(e as Error).message}); tuning in memory`);
    return;
  }
  usable = true;
  if (text === undefined) return;
  try {
    loaded = parseTuneFile(String(text));
  } catch (e) {
    warn(`mini: ignoring the matmul tuning cache in ${WHERE}, which is not one (${(e as Error).message}); it is rewritten at the next tuning`);
  }
}

async function writeRecord(text: string): Promise<void> {
  try {
    const db = await openDatabase();
    try {
      const done = db.transaction(OBJECT_STORE, 'readwrite');
      done.objectStore(OBJECT_STORE).put(text, KEY);
      await new Promise<void>((resolve, reject) => {
        done.oncomplete = () => resolve();
        done.onerror = done.onabort = () => reject(done.error ?? new Error('the IndexedDB transaction was aborted'));
      });
    } finally {
      db.close();
    }
  } catch (e) {
    warn(`mini: could not save the matmul tuning cache to ${WHERE} (${(e as Error).message}); this page keeps it in memory`);
  }
}

/** Reads the stored cache into the page, once (`init()` awaits it); never throws. */
export function prepareTuneStore(): Promise<void> {
  return (preparing ??= readRecord());
}

let writing: Promise<void> = Promise.resolve();

/** The store a web page uses: IndexedDB, through the copy prepareTuneStore read (memory only when IndexedDB is unusable). */
export function defaultTuneStore(): TuneStore {
  return {
    where: usable ? WHERE : 'memory',
    load() {
      return loaded && (JSON.parse(JSON.stringify(loaded)) as TuneFile);
    },
    save(file) {
      const text = JSON.stringify(file);
      loaded = JSON.parse(text) as TuneFile;
      // writes in order, each after the one before it
      if (usable) writing = writing.then(() => writeRecord(text));
    },
  };
}

/** Resolves when every save so far has reached IndexedDB (or failed with its warning). */
export function tuneStoreWritten(): Promise<void> {
  return writing;
}
