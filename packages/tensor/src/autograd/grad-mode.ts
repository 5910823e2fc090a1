import { setGradEnabled } from '../autograd-hooks.ts';

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = setGradEnabled(enabled);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    setGradEnabled(previous);
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => setGradEnabled(previous)) as T;
  }
  setGradEnabled(previous);
  return result;
}

/** Runs fn without recording ops for autograd, like `with torch.no_grad():`. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with recording on, inside a noGrad region, like `with torch.enable_grad():`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
