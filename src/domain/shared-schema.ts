/**
 * Schemas built once per worker thread and shared by every report of that thread.
 *
 * Every report workflow evaluates the bundle's modules again (the SDK's reusable V8 context), and
 * building our zod schemas was most of that: about 18 ms of CPU and most of a cached report's
 * memory, per report. This module is preloaded (src/workflows/preload.ts, the SDK's
 * `preloadModules`), so its cache is one per worker thread: the first report builds each schema,
 * every later one gets the same object back in a map look-up.
 *
 * The SDK deep-freezes what preloaded modules export, and zod writes into its schema objects
 * lazily (cached internals, methods bound on first use), so a frozen schema throws on its first
 * parse. The cache lives in this module's closure, which the freeze does not reach: only the
 * function below is exported. A schema is safe to share: what it caches is derived from its own
 * definition, never from a report, and a parse keeps its state in the parse's own context.
 * Outside the sandbox (client, integrations, tests) this is a plain module-level cache.
 * test/workflows/shared-schema.test.ts checks both in the real sandbox.
 */
const built = new Map<string, unknown>();
let reused = 0;

/**
 * The schema built under `key` in this worker thread, built by `build` the first time. A key names
 * one definition: `<module>.<export>`. A build may use other shared schemas, never report state.
 */
export function sharedSchema<T>(key: string, build: () => T): T {
  if (built.has(key)) {
    reused += 1;
    return built.get(key) as T;
  }
  const schema = build();
  built.set(key, schema);
  return schema;
}

/** How many schemas this thread built, and how many times a module got one already built: for tests, never for a workflow's decisions (it differs between threads). */
export function sharedSchemaStats(): { built: number; reused: number } {
  return { built: built.size, reused };
}
