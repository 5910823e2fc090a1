/** MNIST-shaped synthetic data: timing does not depend on the pixels, and full MNIST is not on this machine. */
export const IMAGES = 60_000;
export const PIXELS = 784;
export const CLASSES = 10;
export const BATCH = 256;
export const STEPS_PER_EPOCH = Math.ceil(IMAGES / BATCH);

/** Deterministic uint8 pixels [count, 784] and int32 labels [count] (xorshift32). */
export function syntheticMnist(count = IMAGES, seed = 1): { images: Uint8Array; labels: Int32Array } {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const words = new Uint32Array(Math.ceil((count * PIXELS) / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  const images = new Uint8Array(words.buffer, 0, count * PIXELS);
  const labels = Int32Array.from({ length: count }, () => next() % CLASSES);
  return { images, labels };
}
