const MiB = 1 << 20;

/** Rounds a byte size up to its size class: powers of two up to 1 MiB, then whole MiB. */
export function sizeClass(bytes: number): number {
  const n = Math.max(bytes, 16);
  if (n <= MiB) return 2 ** Math.ceil(Math.log2(n));
  return Math.ceil(n / MiB) * MiB;
}

/**
 * Storage buffers recycled by size class. A released buffer may still be read by commands not yet
 * submitted, so it waits in `quarantine` until the next submit before it can be handed out again.
 */
export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private quarantine: GPUBuffer[] = [];
  /** Bytes of buffers handed out and not yet released. */
  liveBytes = 0;
  /** Bytes of buffers waiting in the pool. */
  pooledBytes = 0;
  /** Buffers ever created (a steady training loop stops creating them). */
  created = 0;
  /** How many times each buffer has been handed out: tells one tenant of a buffer from the next. */
  private generations = new WeakMap<GPUBuffer, number>();

  constructor(private device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    let buffer = this.free.get(size)?.pop();
    if (buffer) {
      this.pooledBytes -= size;
    } else {
      this.created++;
      const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
      buffer = this.device.createBuffer({ size, usage, label: `pool-${size}` });
    }
    this.liveBytes += size;
    this.generations.set(buffer, (this.generations.get(buffer) ?? 0) + 1);
    return buffer;
  }

  /** The buffer's current tenancy, or undefined for a buffer that is not from the pool. */
  generation(buffer: GPUBuffer): number | undefined {
    return this.generations.get(buffer);
  }

  release(buffer: GPUBuffer): void {
    this.liveBytes -= buffer.size;
    this.quarantine.push(buffer);
    this.pooledBytes += buffer.size;
  }

  /** Called after each submit: quarantined buffers become reusable. */
  afterSubmit(): void {
    for (const b of this.quarantine) {
      let list = this.free.get(b.size);
      if (!list) this.free.set(b.size, (list = []));
      list.push(b);
    }
    this.quarantine.length = 0;
  }

  /** Destroys every free buffer (call after a submit). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.pooledBytes -= b.size;
        b.destroy();
      }
    }
    this.free.clear();
  }
}
