import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSources, SOURCES_FILE } from '../generate.ts';
import { kernelSource } from '../index.ts';

describe('kernels/sources.ts, the generated module of WGSL strings', () => {
  it('is what kernels/generate.ts makes from the .wgsl files now (else run `pnpm kernels`)', () => {
    expect(readFileSync(SOURCES_FILE, 'utf8')).toBe(renderSources());
  });

  it('has every include spliced in', () => {
    const source = kernelSource('matmul-vec4-mn');
    expect(source).not.toMatch(/#include/);
    expect(source).toContain(readFileSync(new URL('../matmul-interface.wgsl', import.meta.url), 'utf8').trim().split('\n')[0]);
  });

  it('names the expected file for an unknown family', () => {
    expect(() => kernelSource('no-such-kernel')).toThrow(/no kernel family 'no-such-kernel': expected the name of a file kernels\/<name>.wgsl/);
    expect(() => kernelSource('__proto__')).toThrow(/no kernel family/);
  });
});
