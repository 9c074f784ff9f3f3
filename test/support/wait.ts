/** The one way tests wait for something that happens outside the test (HTTP, a worker, a server). */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads until `ok` holds and returns that value; throws once `timeoutMs` has passed, naming `what`
 * and the last value (or error) seen. It never returns a value that failed `ok`.
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: { value: T } | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await read();
      if (ok(value)) return value;
      last = { value };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) {
      const seen = last === undefined ? `last error: ${String(lastError)}` : `last value: ${JSON.stringify(last.value)?.slice(0, 800)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`);
    }
    await sleep(everyMs);
  }
}

/** `eventually` for a read that yields undefined until the thing exists. */
export async function eventuallyDefined<T>(
  read: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  return (await eventually(read, (value) => value !== undefined, what, timeoutMs, everyMs)) as T;
}
