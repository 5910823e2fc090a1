/**
 * IDX files over HTTP(S) with the web platform alone (fetch, DecompressionStream): in a page, and
 * in Node 20 too. Each file is checked by size (against Content-Length) and by MD5 before a byte
 * of it is parsed, as the Node downloader checks what it writes.
 */
import { IdxError, type IdxArray } from './idx-format.ts';
import { checkGzipMagic, IdxParser } from './idx-parser.ts';
import { Md5 } from './md5.ts';

/** How far the download of one file has got. */
export interface FetchProgress {
  /** The file's URL. */
  url: string;
  /** Bytes received so far. */
  loaded: number;
  /** The file's size, when the server gave it (Content-Length), else null. */
  total: number | null;
}

/** What fetchVerified and fetchIdx take besides the URL. */
export interface FetchVerifiedOptions {
  /** The MD5 the file must have (32 hex digits); without it the bytes are not checked. */
  md5?: string;
  /** Called as bytes arrive, and once when the file is complete. */
  onProgress?: (progress: FetchProgress) => void;
  /** Aborts the download. */
  signal?: AbortSignal;
}

/** The bytes at `url`, after checking the HTTP status, the size the server announced, and the MD5. */
export async function fetchVerified(url: string, { md5, onProgress, signal }: FetchVerifiedOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url, { signal }).catch((error: Error) => {
    throw new Error(`${url}: ${error.message}${error.cause ? ` (${(error.cause as Error).message ?? error.cause})` : ''}`);
  });
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  // With a Content-Encoding the length is that of the encoded body, not of the bytes read here.
  const announced = response.headers.get('content-encoding') ? null : Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(announced) ? announced : null;
  const chunks: Uint8Array[] = [];
  const hash = new Md5();
  let loaded = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    hash.update(chunk);
    loaded += chunk.length;
    onProgress?.({ url, loaded, total });
  }
  if (total !== null && loaded !== total) throw new Error(`${url}: truncated download: expected ${total} bytes (Content-Length), received ${loaded}`);
  const encoding = response.headers.get('content-encoding');
  if (encoding && /\.gz$/.test(new URL(url, 'http://x/').pathname) && !(chunks[0]?.[0] === 0x1f && chunks[0]?.[1] === 0x8b)) {
    throw new Error(
      `${url}: the server sent this gzip file with Content-Encoding: ${encoding}, so fetch inflated it and its MD5 cannot be checked; ` +
        'serve .gz files as they are (Content-Type: application/gzip, no Content-Encoding)',
    );
  }
  if (md5) {
    const found = hash.hex();
    if (found !== md5.toLowerCase()) throw new Error(`${url}: MD5 mismatch: expected ${md5}, found ${found}`);
  }
  onProgress?.({ url, loaded, total: loaded });
  const bytes = new Uint8Array(new ArrayBuffer(loaded));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/**
 * A uint8 IDX file fetched from `url` (gzip when the URL ends in .gz, inflated by
 * DecompressionStream), checked (size, MD5, then the IDX header and length) and parsed.
 */
export async function fetchIdx(url: string, expectedMagic: number, options: FetchVerifiedOptions = {}): Promise<IdxArray> {
  const bytes = await fetchVerified(url, options);
  const parser = new IdxParser(url, expectedMagic);
  if (!new URL(url, 'http://x/').pathname.endsWith('.gz')) {
    parser.push(bytes);
    return parser.finish();
  }
  checkGzipMagic(url, bytes.subarray(0, 2));
  const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    for await (const chunk of inflated as unknown as AsyncIterable<Uint8Array>) parser.push(chunk);
  } catch (error) {
    if (error instanceof IdxError) throw error;
    throw new Error(`${url}: gzip data is truncated or corrupt (${(error as Error).message})`);
  }
  return parser.finish();
}
