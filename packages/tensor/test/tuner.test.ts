import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromArray, matmul, WebGPURuntime } from '@mini/tensor';
import { Device } from '../src/device/device.ts';
import { matmulCandidate } from '../src/ops/matmul.ts';
import { copyInto } from '../src/ops/elementwise.ts';
import { adapterTraits, allCandidates, candidatesFor, denseLayout, heuristicCandidate, heuristicFamily, productLayout, type AdapterTraits, type MatmulCandidate } from '../src/ops/matmul-plan.ts';
import { memoryTuneStore, parseTuneFile } from '../src/tune/cache.ts';
import { defaultTuneCachePath, fileTuneStore } from '../src/tune/store-node.ts';
import { BATCH_SECONDS, batchTimer, clockTimer, gpuTrial, MAX_REPS, rowsToCheck, type Trial } from '../src/tune/trial.ts';
import { INCUMBENT_MARGIN, MatmulTuner, pickFastest, QUICK_CANDIDATES, quickCandidates, TIMING_ROUNDS, resetTuner, setTuneMode, setTuneStore, shapeClass, tuneMode, tunerFor } from '../src/tune/tuner.ts';
import { expectTensorsClose, pair, webgpu } from './helpers.ts';

const gpu: Device = await webgpu();
const byName = (name: string) => allCandidates().find((c) => c.name === name)!;
const [C1, C2, C3] = ['matmul-columns TM=16 TN=4 WG=8', 'matmul-columns TM=8 TN=2 WG=8', 'matmul-columns TM=8 TN=4 WG=8'].map(byName);

const layoutOf = (M: number, K: number, N: number) => denseLayout(M, K, N);

/** A trial whose verdicts and times are given, no GPU involved. */
function fakeTrial(seconds: Record<string, number>, wrong: string[] = []): Trial {
  return {
    check: async (c) => (wrong.includes(c.name) ? `${c.name} is wrong` : null),
    time: async (c) => seconds[c.name],
    dispose: () => {},
  };
}

const envBefore = { ...process.env };
afterEach(() => {
  process.env = { ...envBefore };
  setTuneStore(null);
  resetTuner(gpu);
});

describe('pickFastest', () => {
  const clock = () => 0;

  it('picks the fastest candidate whose check passed; a faster wrong one never wins', async () => {
    const trial = fakeTrial({ [C1.name]: 0.01, [C2.name]: 0.001, [C3.name]: 0.005 }, [C2.name]);
    const { winner, tried } = await pickFastest([C1, C2, C3], trial, 1000, clock);
    expect(winner).toBe(C3);
    expect(tried.map((t) => [t.name, t.seconds, t.rejected])).toEqual([
      [C1.name, 0.01, null],
      [C2.name, null, `${C2.name} is wrong`],
      [C3.name, 0.005, null],
    ]);
  });

  it(`keeps the first candidate (the heuristic's) unless another is more than ${INCUMBENT_MARGIN * 100} % faster`, async () => {
    const tie = await pickFastest([C1, C2], fakeTrial({ [C1.name]: 0.01, [C2.name]: 0.0097 }), 1000, clock);
    expect(tie.winner).toBe(C1);
    expect(tie.seconds).toBe(0.01);
    const faster = await pickFastest([C1, C2], fakeTrial({ [C1.name]: 0.01, [C2.name]: 0.009 }), 1000, clock);
    expect(faster.winner).toBe(C2);
    expect(faster.seconds).toBe(0.009);
  });

  it(`times the correct candidates in ${TIMING_ROUNDS} interleaved rounds and keeps each one's best`, async () => {
    const calls: string[] = [];
    const rounds: Record<string, number[]> = { [C1.name]: [0.01, 0.01, 0.01], [C3.name]: [0.02, 0.005, 0.02] };
    const trial = { ...fakeTrial({}, [C2.name]), time: async (c: MatmulCandidate) => (calls.push(c.name), rounds[c.name][calls.filter((n) => n === c.name).length - 1]) };
    const { winner, seconds, tried } = await pickFastest([C1, C2, C3], trial, 1000, clock);
    expect(calls).toEqual([C1.name, C3.name, C1.name, C3.name, C1.name, C3.name]);
    expect([winner, seconds]).toEqual([C3, 0.005]);
    expect(tried.map((t) => t.seconds)).toEqual([0.01, null, 0.005]);
  });

  it('a candidate whose trial throws is rejected, with the error as the reason', async () => {
    const trial = { ...fakeTrial({ [C1.name]: 0.01 }), check: async (c: MatmulCandidate) => (c === C2 ? Promise.reject(new Error('lost')) : null) };
    const { winner, tried } = await pickFastest([C2, C1], trial, 1000, clock);
    expect(winner).toBe(C1);
    expect(tried[0]).toEqual({ name: C2.name, seconds: null, rejected: 'lost' });
  });

  it('starts no candidate once the budget is spent, but always tries the first (a fake clock, 200 ms per check)', async () => {
    let now = 0;
    const trial = { ...fakeTrial({ [C1.name]: 0.01, [C2.name]: 0.02, [C3.name]: 0.001 }), check: async () => ((now += 200), null) };
    const within = await pickFastest([C1, C2, C3], trial, 300, () => now);
    expect(within.tried.map((t) => t.name)).toEqual([C1.name, C2.name]);
    expect(within.winner).toBe(C1);
    expect(within.elapsedMs).toBe(400);
    now = 0;
    expect((await pickFastest([C2, C3], trial, 0, () => now)).tried.map((t) => t.name)).toEqual([C2.name]);
  });
});

describe('the tuner on this adapter', () => {
  it('rejects a deliberately wrong candidate by its real result, even when the clock says it is fastest', async () => {
    const layout = layoutOf(70, 33, 45);
    // Half the grid's rows: the lower rows of the product are never written.
    const wrong: MatmulCandidate = { ...C1, name: 'half-grid', plan: (l) => ({ ...C1.plan(l), workgroups: [C1.plan(l).workgroups[0], 1] }) };
    const tuner = new MatmulTuner(gpu, memoryTuneStore());
    const real = gpuTrial(gpu, layout);
    const trial: Trial = { ...real, time: async (c) => (c === wrong ? 1e-9 : 1e-3) };
    const outcome = await tuner.tune(layout, 'full', { candidates: [wrong, C2], trial });
    expect(outcome.winner).toBe(C2.name);
    expect(outcome.tried[0].name).toBe('half-grid');
    expect(outcome.tried[0].rejected).toMatch(/^element \[\d+, \d+\] is /);
    expect(tuner.tuned(layout)).toMatchObject({ name: C2.name });
  });

  it("times each batch alone: the program's queued steps have run when its clock starts, and its throttle() waits until the clock stops", async () => {
    const runtime = gpu.gpu;
    const big = fromArray(new Float32Array(384 * 384).fill(0.5), [384, 384], { device: gpu });
    let timing = false;
    const queuedAtStart: number[] = [];
    const clock = () => {
      if (!timing) queuedAtStart.push(runtime.inFlightSubmits);
      timing = !timing;
      return performance.now();
    };
    let [stop, steps, stepsWhileTiming] = [false, 0, 0];
    const program = (async () => {
      while (!stop) {
        await runtime.throttle();
        if (timing) stepsWhileTiming++;
        matmul(big, big).dispose();
        runtime.flush();
        steps++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    while (runtime.inFlightSubmits < 3) await new Promise((resolve) => setImmediate(resolve));
    const trial = gpuTrial(gpu, layoutOf(64, 64, 64), clockTimer(gpu, clock));
    await trial.time(C2);
    const stepsBefore = steps;
    await trial.time(C2);
    stop = true;
    await program;
    trial.dispose();
    big.dispose();
    expect(queuedAtStart.length).toBeGreaterThanOrEqual(2);
    expect(queuedAtStart.every((n) => n === 0)).toBe(true);
    expect(stepsWhileTiming).toBe(0);
    expect(steps).toBeGreaterThan(stepsBefore);
  });

  it("times a batch by the GPU's timestamps: not lengthened while the main thread is busy elsewhere as it ends", async () => {
    expect(gpu.gpu.hasFeature('timestamp-query')).toBe(true);
    const a = fromArray(new Float32Array(32 * 32).fill(0.25), [32, 32], { device: gpu });
    const busyMs = 300;
    const timers = { clock: clockTimer(gpu, () => performance.now()), gpu: batchTimer(gpu) };
    const seconds: Record<string, number> = {};
    for (const [name, timer] of Object.entries(timers)) {
      // The main thread's next turn of the event loop runs something else for busyMs, while the batch runs.
      setImmediate(() => {
        const end = performance.now() + busyMs;
        while (performance.now() < end);
      });
      seconds[name] = await timer(() => matmul(a, a).dispose());
    }
    a.dispose();
    expect(seconds.clock).toBeGreaterThanOrEqual(busyMs / 1000);
    expect(seconds.gpu).toBeGreaterThan(0);
    expect(seconds.gpu).toBeLessThan(busyMs / 1000 / 3);
  });

  it('times a batch with copies between its dispatches (from its first pass to its last), and refuses one with no dispatch', async () => {
    const a = fromArray(new Float32Array(48 * 48).fill(0.5), [48, 48], { device: gpu });
    const b = fromArray(new Float32Array(48 * 48), [48, 48], { device: gpu });
    const seconds = await gpu.gpu.gpuSeconds(() => {
      copyInto(b, a);
      matmul(a, a).dispose();
      copyInto(b, a);
      matmul(a, b).dispose();
      copyInto(b, a);
    });
    expect(seconds).toBeGreaterThan(0);
    await expect(gpu.gpu.gpuSeconds(() => copyInto(b, a))).rejects.toThrow('internal: a timed batch must hold dispatches, within one submit');
    for (const t of [a, b]) t.dispose();
  });

  it("never takes a candidate's first product as its time, and times a short batch again with more products (a fake clock)", async () => {
    const runtime = gpu.gpu;
    // The clock makes the first batch's product take 20 ms, later ones 0.1 ms; it counts each batch's products.
    const batches: number[] = [];
    let [now, startDispatches, started] = [0, 0, false];
    const clock = () => {
      started = !started;
      if (started) {
        startDispatches = runtime.dispatchCount;
        return now;
      }
      const products = runtime.dispatchCount - startDispatches;
      batches.push(products);
      return (now += products * (batches.length === 1 ? 20 : 0.1));
    };
    const trial = gpuTrial(gpu, layoutOf(40, 24, 36), clockTimer(gpu, clock));
    const full = Math.min(MAX_REPS, Math.ceil(BATCH_SECONDS / 0.0001));
    expect(await trial.time(C2)).toBeCloseTo(0.0001, 9);
    expect(batches).toEqual([1, 1, full]);
    expect(await trial.time(C2)).toBeCloseTo(0.0001, 9);
    trial.dispose();
    expect(batches).toEqual([1, 1, full, full]);
    expect(full * 0.0001).toBeGreaterThanOrEqual(BATCH_SECONDS / 2);
  });

  it('starts background tuning only after its start delay, then tunes the class', async () => {
    const layout = layoutOf(52, 28, 44);
    const tuner = new MatmulTuner(gpu, memoryTuneStore(), () => performance.now(), 300);
    const dispatches = gpu.gpu.dispatchCount;
    tuner.schedule(layout, 'quick');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(gpu.gpu.dispatchCount).toBe(dispatches);
    await tuner.idle();
    expect(gpu.gpu.dispatchCount).toBeGreaterThan(dispatches);
    expect(tuner.outcomes.map((o) => o.shapeClass)).toEqual([shapeClass(layout)]);
  });

  it('tunes the classes scheduled together largest first (a step asks for all of its classes at once), each once', async () => {
    const [small, large, medium] = [layoutOf(20, 8, 12), layoutOf(52, 28, 44), layoutOf(36, 16, 24)];
    const tuner = new MatmulTuner(gpu, memoryTuneStore(), () => performance.now(), 0);
    for (const l of [small, large, medium, small]) tuner.schedule(l, 'quick');
    await tuner.idle();
    expect(tuner.outcomes.map((o) => o.shapeClass)).toEqual([large, medium, small].map(shapeClass));
    tuner.schedule(large, 'quick');
    await tuner.idle();
    expect(tuner.outcomes).toHaveLength(3);
  });

  it('fails, and records nothing, when no candidate is correct', async () => {
    const layout = layoutOf(20, 8, 12);
    const tuner = new MatmulTuner(gpu, memoryTuneStore());
    await expect(tuner.tune(layout, 'full', { candidates: [C1], trial: fakeTrial({}, [C1.name]) })).rejects.toThrow(
      `no candidate computed the product correctly: ${C1.name}: ${C1.name} is wrong`,
    );
    expect(tuner.tuned(layout)).toBeNull();
  });

  it('records nothing when the device is destroyed while a class is tuned (a program that ends mid-tuning)', async () => {
    const runtime = await WebGPURuntime.create();
    const own = Device.webgpu(runtime);
    const store = memoryTuneStore();
    const tuner = new MatmulTuner(own, store);
    const layout = layoutOf(16, 784, 200);
    const real = gpuTrial(own, layout);
    let timed = 0;
    const trial: Trial = {
      check: (c) => real.check(c),
      time: async (c) => {
        const seconds = await real.time(c);
        if (++timed === 2) runtime.destroy();
        return seconds;
      },
      dispose: () => real.dispose(),
    };
    await expect(tuner.tune(layout, 'quick', { trial })).rejects.toThrow(`the device was destroyed while class ${shapeClass(layout)} was tuned`);
    expect(store.file).toBeNull();
    expect(tuner.entry(shapeClass(layout)!)).toBeUndefined();
  });

  it('checks both edges and a spread of rows of large products, every row of small ones', () => {
    expect(rowsToCheck(5)).toEqual([0, 1, 2, 3, 4]);
    const rows = rowsToCheck(257);
    expect(rows.slice(0, 32)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(rows.slice(-32)).toEqual(Array.from({ length: 32 }, (_, i) => 225 + i));
    expect(rows).toContain(128);
  });

  it("quick mode tries one kernel of each family on a GPU (the subgroup one at its widest lanes), the heuristic's relatives on a CPU adapter", () => {
    const quick = (traits: AdapterTraits) => {
      const l = layoutOf(256, 784, 200);
      const heuristic = heuristicCandidate(traits, heuristicFamily(traits, null), l);
      const list = quickCandidates(candidatesFor(traits, l, heuristic), heuristic, traits);
      expect(list[0]).toBe(heuristic);
      return list;
    };
    const onGpu = quick({ software: false, subgroups: [32, 32], maxInvocations: 1024, maxWorkgroupStorage: 32768 });
    expect(onGpu.map((c) => c.family).sort()).toEqual(['columns', 'subgroup', 'tiled', 'tiled-vec4']);
    expect(onGpu.find((c) => c.family === 'subgroup')!.template.SG).toBe('32');
    const onLavapipe = quick(adapterTraits(gpu.gpu));
    expect(onLavapipe).toHaveLength(QUICK_CANDIDATES);
    expect(new Set(onLavapipe.map((c) => `${c.file} SG=${c.template.SG}`)).size).toBe(1);
  });

  it('leaves batched and stride-only products to the heuristics', () => {
    const a = fromArray(new Float32Array(2 * 3 * 4), [2, 3, 4], { device: gpu });
    const b = fromArray(new Float32Array(2 * 4 * 5), [2, 4, 5], { device: gpu });
    expect(shapeClass(productLayout(a, b))).toBeNull();
    expect(shapeClass(layoutOf(256, 784, 200))).toBe('aK4.bN4 256x1024x256');
  });

  it('with MINI_TUNE=quick, the first product of a class tunes it in the background; later ones take the winner', async () => {
    process.env.MINI_TUNE = 'quick';
    const store = memoryTuneStore();
    setTuneStore(store);
    resetTuner(gpu);
    const [ac, ag] = pair([40, 24], 1, gpu);
    const [bc, bg] = pair([24, 36], 2, gpu);
    await expectTensorsClose(matmul(ag, bg), matmul(ac, bc), 1e-4, 1e-4);
    const tuner = tunerFor(gpu);
    await tuner.idle();
    const cls = shapeClass(productLayout(ag, bg))!;
    const entry = tuner.entry(cls)!;
    expect(entry.mode).toBe('quick');
    expect(store.file!.adapters[tuner.adapterKey][cls]).toEqual(entry);
    const traits = adapterTraits(gpu.gpu);
    expect(entry.heuristic).toBe(heuristicCandidate(traits, heuristicFamily(traits, null), productLayout(ag, bg)).name);
    expect(matmulCandidate(ag, bg).name).toBe(entry.kernel);
    await expectTensorsClose(matmul(ag, bg), matmul(ac, bc), 1e-4, 1e-4);
  });
});

describe('the tuning cache', () => {
  const layout = layoutOf(64, 32, 48);
  const times = { [C1.name]: 0.003, [C2.name]: 0.002 };
  const dir = () => mkdtempSync(join(tmpdir(), 'mini-tune-'));

  it('round-trips through its file: a new tuner (a later run) starts with the winner; nothing temporary is left', async () => {
    const d = dir();
    const path = join(d, 'cache', 'matmul-tune.json');
    await new MatmulTuner(gpu, fileTuneStore(path)).tune(layout, 'full', { candidates: [C1, C2], trial: fakeTrial(times) });
    const later = new MatmulTuner(gpu, fileTuneStore(path));
    expect(later.tuned(layout)).toMatchObject({ name: C2.name });
    const file = parseTuneFile(readFileSync(path, 'utf8'));
    expect(Object.keys(file.adapters)).toEqual([later.adapterKey]);
    expect(file.adapters[later.adapterKey][shapeClass(layout)!]).toMatchObject({ kernel: C2.name, mode: 'full', heuristicGflops: null });
    expect(readdirSync(join(d, 'cache'))).toEqual(['matmul-tune.json']);
  });

  it('keeps entries apart by adapter key and by shape class', async () => {
    const path = join(dir(), 'matmul-tune.json');
    const tuner = new MatmulTuner(gpu, fileTuneStore(path));
    await tuner.tune(layout, 'full', { candidates: [C1, C2], trial: fakeTrial(times) });
    expect(new MatmulTuner(gpu, fileTuneStore(path)).tuned(layoutOf(300, 32, 48))).toBeNull();
    // The same entries under another key (another driver version, changed kernel sources or timing) are not this adapter's.
    const text = readFileSync(path, 'utf8').replace(/kernels [0-9a-f]{8}/, 'kernels 00000000');
    writeFileSync(path, text);
    expect(new MatmulTuner(gpu, fileTuneStore(path)).tuned(layout)).toBeNull();
    expect(tuner.adapterKey).toMatch(/ \| kernels [0-9a-f]{8} \| timing \d+$/);
  });

  it.each([
    ['half a file', '{"version": 1, "adapters": {'],
    ['another version', '{"version": 2, "adapters": {}}'],
    ['a malformed entry', '{"version": 1, "adapters": {"x": {"c": {"kernel": 3}}}}'],
  ])('ignores %s with a warning, never an error, and replaces it at the next save', async (_, text) => {
    const path = join(dir(), 'matmul-tune.json');
    writeFileSync(path, text);
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const tuner = new MatmulTuner(gpu, fileTuneStore(path));
    expect(warnings).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`^mini: ignoring the matmul tuning cache ${path}, which is not one`)));
    expect(tuner.tuned(layout)).toBeNull();
    await tuner.tune(layout, 'full', { candidates: [C1, C2], trial: fakeTrial(times) });
    warnings.mockClear();
    expect(new MatmulTuner(gpu, fileTuneStore(path)).tuned(layout)).toMatchObject({ name: C2.name });
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
  });

  it('lives at MINI_TUNE_CACHE, else under XDG_CACHE_HOME, else ~/.cache/mini', () => {
    delete process.env.MINI_TUNE_CACHE;
    delete process.env.XDG_CACHE_HOME;
    expect(defaultTuneCachePath()).toBe(join(homedir(), '.cache', 'mini', 'matmul-tune.json'));
    process.env.XDG_CACHE_HOME = '/xdg';
    expect(defaultTuneCachePath()).toBe('/xdg/mini/matmul-tune.json');
    process.env.MINI_TUNE_CACHE = '/elsewhere/t.json';
    expect(defaultTuneCachePath()).toBe('/elsewhere/t.json');
  });
});

describe('MINI_TUNE', () => {
  it("is 'quick' when unset, and must name a mode", () => {
    delete process.env.MINI_TUNE;
    expect(tuneMode()).toBe('quick');
    process.env.MINI_TUNE = 'fast';
    expect(() => tuneMode()).toThrow('MINI_TUNE=fast is not a tuning mode; expected one of off, quick, full');
  });

  it('setTuneMode overrides it (web pages have no environment), null restores it', () => {
    process.env.MINI_TUNE = 'full';
    setTuneMode('off');
    expect(tuneMode()).toBe('off');
    setTuneMode(null);
    expect(tuneMode()).toBe('full');
    expect(() => setTuneMode('fast' as never)).toThrow("unknown tuning mode 'fast'; expected one of off, quick, full");
  });

  it("is 'off' in this test suite (vitest.config.ts): heuristics only, no tuner made", () => {
    expect(tuneMode()).toBe('off');
  });
});
