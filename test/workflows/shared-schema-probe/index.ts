/**
 * A probe workflow for test/workflows/shared-schema.test.ts: it validates a start input through the
 * domain, as a report's first task does, and answers what this worker thread's shared-schema cache
 * looked like to it (after this workflow's own modules were evaluated).
 */
import { sharedSchemaStats } from '../../../src/domain/shared-schema';
import { StartInput } from '../../../src/domain/schemas';
import { parseStartInput } from '../../../src/domain/validation';

export async function schemaProbe(raw: unknown): Promise<{
  stats: { built: number; reused: number };
  startSchemaFrozen: boolean;
  parsed: ReturnType<typeof parseStartInput>;
}> {
  return { stats: sharedSchemaStats(), startSchemaFrozen: Object.isFrozen(StartInput), parsed: parseStartInput(raw) };
}
