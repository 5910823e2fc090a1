// The content of the generated IDX files (idx-files.ts), in plain functions a page can import too.

/** Pixel j of generated image i: a pattern that differs between images and between pixels. */
export function pixel(i: number, j: number): number {
  return (i * 37 + j * 11) % 256;
}

/** Label of generated image i. */
export function label(i: number): number {
  return (i * 7) % 10;
}
