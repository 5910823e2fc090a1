import { describe, expect, it } from 'vitest';
import { idleWait } from '../src/device/idle-wait.ts';

describe('idleWait', () => {
  it('resolves with the value of the promise it waits for, settled now or later', async () => {
    expect(await idleWait(Promise.resolve(7))).toBe(7);
    expect(await idleWait(new Promise((resolve) => setTimeout(() => resolve('late'), 5)))).toBe('late');
  });

  it('rejects with the error of the promise it waits for', async () => {
    const failing = new Promise((_, reject) => setTimeout(() => reject(new Error('device lost')), 2));
    await expect(idleWait(failing)).rejects.toThrow('device lost');
  });

  it('lets other work run while it waits', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await idleWait(new Promise((resolve) => setTimeout(resolve, 20)));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
