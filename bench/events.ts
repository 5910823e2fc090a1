// What the bench reads from the examples' --json output: their own events, one JSON object a
// line, optionally with the counters example-child.ts adds. Pure functions, tested in
// bench/test/events.test.ts.

/** Device counters at the moment an event was printed (added by example-child.ts). */
export interface Counters {
  dispatches: number;
  submits: number;
  buffersCreated: number;
  bindGroupsCreated: number;
  liveBytes: number;
}

/** The events of the examples' reporter (their --json lines) that the bench uses, with the counters if present. */
export type ExampleEvent =
  | { type: 'start'; steps: number; trainSize: number; bench?: Counters }
  | { type: 'step'; epoch: number; step: number; loss: number; samplesPerSecond: number; bench?: Counters }
  | { type: 'epoch'; epoch: number; loss: number; seconds: number; samplesPerSecond: number; bench?: Counters }
  | { type: string; bench?: Counters };

/** The JSON events in a program's stdout; other lines are not events and are skipped. */
export function parseEvents(stdout: string): ExampleEvent[] {
  const events: ExampleEvent[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') events.push(value as ExampleEvent);
  }
  return events;
}

type Of<T extends string> = Extract<ExampleEvent, { type: T }>;
const ofType = <T extends 'start' | 'step' | 'epoch'>(events: readonly ExampleEvent[], type: T) => events.filter((e) => e.type === type) as Of<T>[];

function counters(e: ExampleEvent): Counters {
  if (!e.bench) throw new Error(`event '${e.type}' has no counters: run the example through bench/example-child.ts`);
  return e.bench;
}

/** Seconds of each epoch, as the example's 'epoch' events report them. */
export function epochSeconds(events: readonly ExampleEvent[]): number[] {
  return ofType(events, 'epoch').map((e) => e.seconds);
}

/** Dispatches of each step between consecutive 'step' events (a run with --log-every 1). */
export function dispatchesPerStep(events: readonly ExampleEvent[]): number[] {
  const steps = ofType(events, 'step');
  return steps.slice(1).map((e, i) => counters(e).dispatches - counters(steps[i]).dispatches);
}

/** Per epoch from the second on: submits since the previous epoch event (the checkpoint written at each epoch's start included). */
export function submitsPerEpoch(events: readonly ExampleEvent[]): number[] {
  const epochs = ofType(events, 'epoch');
  return epochs.slice(1).map((e, i) => counters(e).submits - counters(epochs[i]).submits);
}

/** What an epoch leaves allocated and what it created. */
export interface EpochMemory {
  liveBytes: number;
  buffersCreated: number;
  bindGroupsCreated: number;
}

/** Live GPU bytes, GPU buffers and bind groups created by the end of each epoch (the first counted from 'start'). */
export function memoryPerEpoch(events: readonly ExampleEvent[]): EpochMemory[] {
  const start = ofType(events, 'start')[0];
  const epochs = ofType(events, 'epoch');
  let before = start ? counters(start) : { buffersCreated: 0, bindGroupsCreated: 0 };
  return epochs.map((e) => {
    const c = counters(e);
    const row = { liveBytes: c.liveBytes, buffersCreated: c.buffersCreated - before.buffersCreated, bindGroupsCreated: c.bindGroupsCreated - before.bindGroupsCreated };
    before = c;
    return row;
  });
}
