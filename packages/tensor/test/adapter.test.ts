import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../src/cli.ts', import.meta.url).pathname;

function probe(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', CLI, 'probe'], { env: { ...process.env, ...env } }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe('adapter selection', () => {
  it('names the backend it found', async () => {
    const { code, stdout } = await probe({ MINI_WEBGPU_BACKEND: 'vulkan' });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^webgpu via vulkan backend: /);
  });

  it('lists every backend tried, and the fix, when none works', async () => {
    // No Vulkan driver and an EGL platform that does not exist: every backend fails.
    const { code, stderr } = await probe({ VK_ICD_FILENAMES: '/nonexistent.json', VK_DRIVER_FILES: '/nonexistent.json', EGL_PLATFORM: 'bogus' });
    expect(code).toBe(1);
    expect(stderr).toContain('No WebGPU adapter could be created. Tried:\n  default: ');
    expect(stderr).toContain('\n  vulkan: ');
    expect(stderr).toContain('\n  opengles: ');
    expect(stderr).toContain('npm install webgpu');
    expect(stderr).toContain('mesa-vulkan-drivers');
    expect(stderr).toMatch(/See https:\/\/\S+#webgpu-in-node/);
    expect(stderr).not.toContain('scripts/setup.sh');
    expect(stderr).toContain('MINI_DEVICE=cpu');
  });

  it('rejects an unknown MINI_WEBGPU_BACKEND', async () => {
    const { code, stderr } = await probe({ MINI_WEBGPU_BACKEND: 'metalx' });
    expect(code).toBe(1);
    expect(stderr).toContain('MINI_WEBGPU_BACKEND=metalx is not a backend; expected one of default, vulkan, opengles');
  });
});
