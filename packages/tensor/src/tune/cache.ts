/**
 * The matmul tuner's persistent cache: which kernel won for each shape class, per adapter. The
 * format and its checks live here (browser-safe); where it is kept is a TuneStore: a JSON file
 * in Node (store-node.ts), a record in IndexedDB in a web page (store-web.ts), chosen by `#tune-store`.
 */

/** One tuned shape class: the winner and what was measured. */
export interface TuneEntry {
  /** The winning candidate's name (MatmulCandidate.name). */
  kernel: string;
  gflops: number;
  /** The kernel the heuristics pick, and its rate (null when it was not correct). */
  heuristic: string;
  heuristicGflops: number | null;
  mode: 'quick' | 'full';
  /** ISO time of the measurement. */
  tunedAt: string;
}

/** The whole cache: entries by adapter key, then by shape class. */
export interface TuneFile {
  version: 1;
  adapters: Record<string, Record<string, TuneEntry>>;
}

/** Where tuned choices are kept between runs. */
export interface TuneStore {
  /** Says where, for messages (a path, or 'nowhere'). */
  readonly where: string;
  /** The cache, or null when there is none yet or it is unusable (then it warns). */
  load(): TuneFile | null;
  /** Replaces the cache, atomically where the medium allows. */
  save(file: TuneFile): void;
}

/** A store that keeps nothing past the process: every run tunes afresh (tests that want no file). */
export function memoryTuneStore(): TuneStore & { file: TuneFile | null } {
  return {
    where: 'memory',
    file: null,
    load() {
      return this.file && (JSON.parse(JSON.stringify(this.file)) as TuneFile);
    },
    save(file) {
      this.file = JSON.parse(JSON.stringify(file)) as TuneFile;
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkEntry(e: unknown): string | null {
  if (!isRecord(e)) return 'an entry is not an object';
  if (typeof e.kernel !== 'string' || typeof e.heuristic !== 'string') return 'an entry lacks its kernel names';
  if (typeof e.gflops !== 'number' || !(e.heuristicGflops === null || typeof e.heuristicGflops === 'number')) return 'an entry lacks its rates';
  if (e.mode !== 'quick' && e.mode !== 'full') return `an entry has mode ${JSON.stringify(e.mode)}, expected 'quick' or 'full'`;
  return null;
}

/** Parses a cache file's text; throws with what is wrong when it is not one. */
export function parseTuneFile(text: string): TuneFile {
  const data = JSON.parse(text) as unknown;
  if (!isRecord(data) || data.version !== 1) throw new Error(`expected {"version": 1, ...}, found ${text.slice(0, 40)}`);
  if (!isRecord(data.adapters)) throw new Error('expected an object "adapters"');
  for (const entries of Object.values(data.adapters)) {
    if (!isRecord(entries)) throw new Error('expected an object of shape classes per adapter');
    for (const e of Object.values(entries)) {
      const wrong = checkEntry(e);
      if (wrong) throw new Error(wrong);
    }
  }
  return data as unknown as TuneFile;
}

/** 32-bit FNV-1a of a string, in hex: a short fingerprint of the kernels' sources. */
export function fingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
