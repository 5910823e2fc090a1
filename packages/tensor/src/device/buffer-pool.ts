const MiB = 1 << 20;

/** Rounds a byte size up to its size class: powers of two up to 1 MiB, then whole MiB. */
export function sizeClass(bytes: number): number {
  const n = Math.max(bytes, 16);
  if (n <= MiB) return 2 ** Math.ceil(Math.log2(n));
  return Math.ceil(n / MiB) * MiB;
}

/** Bytes the pool keeps for reuse by default (jax-js and TensorFlow.js cap theirs alike). */
const MAX_POOLED_BYTES = 128 * MiB;
/** A free buffer not handed out again within this many submits is idle: destroyed, beyond IDLE_KEEP_BYTES of them. */
const IDLE_SUBMITS = 64;
/**
 * Bytes of idle buffers kept all the same, the most recently used: what a loop needs once per
 * epoch (the shuffle's permutation, the last, smaller batch), which an epoch of more than
 * IDLE_SUBMITS steps would otherwise destroy and create again every epoch.
 */
const IDLE_KEEP_BYTES = 16 * MiB;

/** The most buffers that may exist at once, and why (shown in the out-of-memory error). */
export interface BufferLimit {
  max: number;
  reason: string;
}

/**
 * Storage buffers recycled by size class. A released buffer may still be read by commands not yet
 * submitted, so it waits in `quarantine` until the next submit before it can be handed out again.
 * The pool keeps at most `maxPooledBytes` (a release beyond that destroys the buffer), and
 * destroys buffers left unused for IDLE_SUBMITS submits, oldest first, beyond `idleKeepBytes` of
 * them: after a burst, it shrinks back, and a steady training loop creates no buffer per epoch.
 */
export class BufferPool {
  static readonly idleSubmits = IDLE_SUBMITS;
  /** The most bytes of free buffers kept for reuse. */
  maxPooledBytes = MAX_POOLED_BYTES;
  /** Bytes of idle buffers (unused for idleSubmits submits) kept for reuse, the most recently freed. */
  idleKeepBytes = IDLE_KEEP_BYTES;
  private free = new Map<number, GPUBuffer[]>();
  private freeBytes = 0;
  /** The submit after which each free buffer became free (the oldest are trimmed first). */
  private freedAt = new Map<GPUBuffer, number>();
  private submits = 0;
  private quarantine: GPUBuffer[] = [];
  /** Bytes of buffers handed out and not yet released. */
  liveBytes = 0;
  /** Bytes of buffers waiting in the pool. */
  pooledBytes = 0;
  /** Buffers ever created (a steady training loop stops creating them). */
  created = 0;
  /** Buffers created and not yet destroyed: live, quarantined and free ones. */
  existing = 0;
  /** Creating a buffer beyond limit.max is an out-of-memory error instead of a driver crash. */
  limit: BufferLimit = { max: Infinity, reason: '' };
  /** How many times each buffer has been handed out: tells one tenant of a buffer from the next. */
  private generations = new WeakMap<GPUBuffer, number>();

  constructor(private device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    let buffer = this.free.get(size)?.pop();
    if (buffer) {
      this.pooledBytes -= size;
      this.freeBytes -= size;
      this.freedAt.delete(buffer);
    } else {
      if (this.existing >= this.limit.max) this.trim();
      if (this.existing >= this.limit.max) throw this.outOfMemory(size);
      this.created++;
      this.existing++;
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      buffer = this.device.createBuffer({ size, usage, label: `pool-${size}` });
    }
    this.liveBytes += size;
    this.generations.set(buffer, (this.generations.get(buffer) ?? 0) + 1);
    return buffer;
  }

  private outOfMemory(size: number): Error {
    const mb = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;
    return new Error(
      `out of GPU memory: tried to allocate ${mb(size)} with ${this.existing} GPU buffers (${mb(this.liveBytes)} live) in use, ` +
        `the most this device holds at once (${this.limit.reason}). Free tensors with dispose() or tidy(): ` +
        `a loop that never awaits and uses no tidy() keeps every tensor it creates, because garbage ` +
        `collection frees GPU memory only when the program yields to the event loop.`,
    );
  }

  /** The buffer's current tenancy, or undefined for a buffer that is not from the pool. */
  generation(buffer: GPUBuffer): number | undefined {
    return this.generations.get(buffer);
  }

  /** Whether the buffer was released since the last submit: no tensor holds it, though commands recorded before may still use it. */
  isReleased(buffer: GPUBuffer): boolean {
    return this.quarantine.includes(buffer);
  }

  release(buffer: GPUBuffer): void {
    this.liveBytes -= buffer.size;
    this.quarantine.push(buffer);
    this.pooledBytes += buffer.size;
  }

  /**
   * Called after each submit: quarantined buffers become reusable, up to maxPooledBytes (the
   * rest are destroyed: WebGPU frees them once the submitted work is done); every IDLE_SUBMITS
   * submits, buffers free since the previous sweep are destroyed, beyond idleKeepBytes of them.
   */
  afterSubmit(): void {
    this.submits++;
    for (const b of this.quarantine) {
      if (this.freeBytes + b.size > this.maxPooledBytes) {
        this.pooledBytes -= b.size;
        this.destroy(b);
        continue;
      }
      let list = this.free.get(b.size);
      if (!list) this.free.set(b.size, (list = []));
      list.push(b);
      this.freeBytes += b.size;
      this.freedAt.set(b, this.submits);
    }
    this.quarantine.length = 0;
    if (this.submits % IDLE_SUBMITS === 0) this.trimIdle();
  }

  /** Destroys the buffers free since the previous sweep, oldest first, until idleKeepBytes of them are left. */
  private trimIdle(): void {
    const idle = [...this.freedAt].filter(([, at]) => at <= this.submits - IDLE_SUBMITS).sort((a, b) => a[1] - b[1]);
    let bytes = idle.reduce((n, [b]) => n + b.size, 0);
    const doomed = new Set<GPUBuffer>();
    for (const [b] of idle) {
      if (bytes <= this.idleKeepBytes) break;
      doomed.add(b);
      bytes -= b.size;
    }
    if (doomed.size) this.destroyFree((b) => doomed.has(b));
  }

  /** Destroys every free buffer (call after a submit). */
  trim(): void {
    this.destroyFree(() => true);
  }

  private destroyFree(which: (b: GPUBuffer) => boolean): void {
    for (const [size, list] of this.free) {
      const kept: GPUBuffer[] = [];
      for (const b of list) {
        if (!which(b)) {
          kept.push(b);
          continue;
        }
        this.pooledBytes -= b.size;
        this.freeBytes -= b.size;
        this.freedAt.delete(b);
        this.destroy(b);
      }
      if (kept.length) this.free.set(size, kept);
      else this.free.delete(size);
    }
  }

  private destroy(b: GPUBuffer): void {
    this.existing--;
    b.destroy();
  }
}
