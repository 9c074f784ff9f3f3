/**
 * Evaluated once per worker thread, before any report workflow exists, as the workflow bundle's
 * `preloadModules` entry (see src/infra/workflow-bundle.ts). Every report then shares one copy of
 * zod instead of evaluating it again inside each workflow: that copy costs about a megabyte of heap
 * and milliseconds of CPU per workflow created, which is what limited how many reports a worker
 * keeps cached and how fast it takes new ones.
 *
 * The SDK deep-freezes what preloaded modules export and the globals they set. zod writes three
 * process-wide values lazily: the default locale and the default memoizer (on the first schema
 * built) and `allowsEval` (on the first object parsed: whether parsers may be compiled with
 * `new Function`). They are settled here, before the freeze; a frozen unsettled one would throw in
 * every report.
 *
 * Our own schemas are not built here (the freeze would reach them through the domain modules'
 * exports, and zod writes into its schema objects lazily): the shared-schema cache is, so that the
 * first report of a thread builds them and every later one reuses them (src/domain/shared-schema.ts).
 * test/workflows/preload.test.ts and test/workflows/shared-schema.test.ts check this against the
 * real sandbox.
 */
import { z } from 'zod';
import { sharedSchemaStats } from '../domain/shared-schema';

// One schema built and one object parsed set all three; the explicit read documents the third.
z.strictObject({ warm: z.string().min(1) }).safeParse({ warm: 'up' });
void z.core.util.allowsEval.value;
// Used, so that webpack keeps the import and the cache is one per worker thread, not per report.
void sharedSchemaStats();
