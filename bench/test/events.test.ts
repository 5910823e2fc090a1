import { describe, expect, it } from 'vitest';
import { dispatchesPerStep, epochSeconds, memoryPerEpoch, parseEvents, submitsPerEpoch } from '../events.ts';

const counters = (dispatches: number, submits: number, buffersCreated: number, liveBytes: number, bindGroupsCreated = 0) => ({ dispatches, submits, buffersCreated, bindGroupsCreated, liveBytes });
const line = (event: object) => JSON.stringify(event);

describe("the examples' events", () => {
  it('parses the JSON lines of an output and skips the rest', () => {
    const out = [
      'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced',
      line({ type: 'start', steps: 235, trainSize: 60000 }),
      '{not json',
      line({ no: 'type' }),
      line({ type: 'epoch', epoch: 1, loss: 0.5, seconds: 2.5, samplesPerSecond: 24000 }),
      '',
    ].join('\n');
    const events = parseEvents(out);
    expect(events.map((e) => e.type)).toEqual(['start', 'epoch']);
    expect(epochSeconds(events)).toEqual([2.5]);
  });

  it('dispatches per step, submits per epoch and memory per epoch from the counters', () => {
    const steps = [
      { type: 'step', epoch: 1, step: 1, loss: 1, samplesPerSecond: 1, bench: counters(40, 2, 50, 100) },
      { type: 'step', epoch: 1, step: 2, loss: 1, samplesPerSecond: 1, bench: counters(67, 4, 50, 100) },
      { type: 'step', epoch: 1, step: 3, loss: 1, samplesPerSecond: 1, bench: counters(93, 5, 50, 100) },
    ];
    expect(dispatchesPerStep(steps)).toEqual([27, 26]);
    const run = [
      { type: 'start', steps: 2, trainSize: 10, bench: counters(0, 0, 10, 50, 5) },
      { type: 'epoch', epoch: 1, loss: 1, seconds: 3, samplesPerSecond: 1, bench: counters(100, 20, 40, 80, 25) },
      { type: 'epoch', epoch: 2, loss: 1, seconds: 2, samplesPerSecond: 1, bench: counters(200, 45, 42, 80, 26) },
      { type: 'epoch', epoch: 3, loss: 1, seconds: 2, samplesPerSecond: 1, bench: counters(300, 69, 42, 80, 26) },
    ];
    expect(submitsPerEpoch(run)).toEqual([25, 24]);
    expect(memoryPerEpoch(run)).toEqual([
      { liveBytes: 80, buffersCreated: 30, bindGroupsCreated: 20 },
      { liveBytes: 80, buffersCreated: 2, bindGroupsCreated: 1 },
      { liveBytes: 80, buffersCreated: 0, bindGroupsCreated: 0 },
    ]);
  });

  it('counters are required where they are read: the example must run through example-child.ts', () => {
    const plain = [
      { type: 'epoch', epoch: 1, loss: 1, seconds: 3, samplesPerSecond: 1 },
      { type: 'epoch', epoch: 2, loss: 1, seconds: 3, samplesPerSecond: 1 },
    ];
    expect(() => submitsPerEpoch(plain)).toThrow("event 'epoch' has no counters: run the example through bench/example-child.ts");
  });
});
