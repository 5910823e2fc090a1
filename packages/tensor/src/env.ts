/**
 * The one place core code touches the host: Node's `process`, which a web page does not have.
 * Settings are read from environment variables where there is an environment, and warnings go to
 * `process.emitWarning` in Node, `console.warn` elsewhere.
 */
interface Host {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
  emitWarning?: (message: string) => void;
}

function host(): Host | undefined {
  return (globalThis as { process?: Host }).process;
}

/** The environment variables (Node's `process.env`), or an empty record where there are none. */
export function environment(): Record<string, string | undefined> {
  return host()?.env ?? {};
}

/** The value of one environment variable, or undefined (always, in a web page). */
export function envVar(name: string): string | undefined {
  return environment()[name];
}

/** Warns once per call, as PyTorch's `warnings.warn` does: `process.emitWarning` in Node, else `console.warn`. */
export function warn(message: string): void {
  const emit = host()?.emitWarning;
  if (typeof emit === 'function') emit.call(host(), message);
  else console.warn(message);
}

/** Whether this is Node (where the main thread may block, and setImmediate exists). */
export function isNode(): boolean {
  return typeof host()?.versions?.node === 'string';
}
