import type { BufferPool } from './buffer-pool.ts';

type Write = readonly [buffer: GPUBuffer, generation: number];

/**
 * Which pooled buffers hold values that a failed submit never computed, so that reading them
 * raises the submit's error instead of returning stale memory. A submit's errors arrive after
 * later work may already have read its outputs, so a failure also marks what every later batch
 * wrote, and from then on a dispatch that reads a marked buffer marks the buffers it writes.
 * Marks are per tenancy (the pool's generation): a buffer handed out again starts clean.
 */
export class LostResults {
  private marks = new WeakMap<GPUBuffer, { generation: number; message: string }>();
  private anyMarked = false;
  private open: Write[] = [];
  private unsettled: Write[][] = [];

  constructor(private pool: BufferPool) {}

  /** Notes one recorded dispatch. */
  dispatched(read: readonly GPUBuffer[], written: readonly GPUBuffer[]): void {
    const writes = this.tenancies(written);
    this.open.push(...writes);
    if (!this.anyMarked) return;
    for (const b of read) {
      const message = this.messageOf(b);
      if (message) return this.mark(writes, message);
    }
  }

  /** The open batch is submitted; call the returned function with its error (or null) once known. */
  submitted(): (error: string | null) => void {
    const batch = this.open;
    this.open = [];
    this.unsettled.push(batch);
    return (error) => {
      const index = this.unsettled.indexOf(batch);
      if (error) for (const writes of [...this.unsettled.slice(index), this.open]) this.mark(writes, error);
      this.unsettled.splice(index, 1);
    };
  }

  /** The error that lost this buffer's current values, or null when they are sound. */
  messageOf(buffer: GPUBuffer): string | null {
    const mark = this.anyMarked ? this.marks.get(buffer) : undefined;
    return mark && mark.generation === this.pool.generation(buffer) ? mark.message : null;
  }

  private tenancies(buffers: readonly GPUBuffer[]): Write[] {
    const writes: Write[] = [];
    for (const b of buffers) {
      const generation = this.pool.generation(b);
      if (generation !== undefined) writes.push([b, generation]);
    }
    return writes;
  }

  private mark(writes: readonly Write[], message: string): void {
    for (const [buffer, generation] of writes) {
      if (this.pool.generation(buffer) === generation) this.marks.set(buffer, { generation, message });
    }
    this.anyMarked ||= writes.length > 0;
  }
}
