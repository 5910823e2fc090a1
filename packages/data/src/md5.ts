/**
 * MD5 (RFC 1321), fed in chunks: the checksum torchvision publishes for each dataset file. Web
 * Crypto has no MD5, so a page checks downloads with this; Node's node:crypto agrees with it.
 */

/** Per-round left rotations. */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
/** floor(2^32 · |sin(i + 1)|). */
const SINES = Uint32Array.from({ length: 64 }, (_, i) => Math.floor(2 ** 32 * Math.abs(Math.sin(i + 1))));

/** An incremental MD5: `update` with each chunk, then `hex()`. */
export class Md5 {
  private readonly state = Uint32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476);
  private readonly block = new Uint8Array(64);
  private readonly words = new DataView(this.block.buffer);
  private filled = 0;
  private length = 0;

  /** Adds bytes to the message. */
  update(bytes: Uint8Array): this {
    this.length += bytes.length;
    let at = 0;
    while (at < bytes.length) {
      const take = Math.min(64 - this.filled, bytes.length - at);
      this.block.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === 64) this.compress();
    }
    return this;
  }

  /** The digest as 32 lowercase hex digits; the hash takes no more bytes after this. */
  hex(): string {
    const bits = this.length * 8;
    this.update(Uint8Array.of(0x80));
    while (this.filled !== 56) this.update(Uint8Array.of(0));
    this.words.setUint32(56, bits >>> 0, true);
    this.words.setUint32(60, Math.floor(bits / 2 ** 32), true);
    this.compress();
    const out = new DataView(new ArrayBuffer(16));
    this.state.forEach((word, i) => out.setUint32(4 * i, word, true));
    return Array.from(new Uint8Array(out.buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  private compress(): void {
    let [a, b, c, d] = this.state;
    for (let i = 0; i < 64; i++) {
      const round = i >> 4;
      const f = round === 0 ? (b & c) | (~b & d) : round === 1 ? (d & b) | (~d & c) : round === 2 ? b ^ c ^ d : c ^ (b | ~d);
      const g = round === 0 ? i : round === 1 ? (5 * i + 1) & 15 : round === 2 ? (3 * i + 5) & 15 : (7 * i) & 15;
      const sum = (a + f + SINES[i] + this.words.getUint32(4 * g, true)) | 0;
      const shift = SHIFTS[(round << 2) | (i & 3)];
      [a, d, c] = [d, c, b];
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    this.state[0] += a;
    this.state[1] += b;
    this.state[2] += c;
    this.state[3] += d;
    this.filled = 0;
  }
}
