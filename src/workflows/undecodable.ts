/**
 * A payload the worker could not decode (unknown encoding, a key id it does not hold, data that is
 * not what its encoding says). The payload converter hands the workflow this marker instead of
 * throwing, so bad input from outside is recorded as bad input and never fails a workflow task.
 *
 * The marker is keyed by a registered symbol: no JSON payload can produce it.
 */
export const UNDECODABLE = Symbol.for('spdr.undecodablePayload');

export interface UndecodablePayload {
  readonly [UNDECODABLE]: string;
}

/** The metadata encoding the worker's codec wrapper gives a payload it could not decode. */
export const ENCODING_UNDECODABLE = 'binary/spdr-undecodable';
/** Metadata key carrying the reason (UTF-8), set with {@link ENCODING_UNDECODABLE}. */
export const METADATA_UNDECODABLE_REASON = 'spdr-undecodable-reason';

export function undecodable(reason: string): UndecodablePayload {
  return { [UNDECODABLE]: reason.length > 500 ? `${reason.slice(0, 499)}…` : reason };
}

/** The reason, when `value` is the marker; undefined for every decoded value. */
export function undecodableReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const reason = (value as Partial<UndecodablePayload>)[UNDECODABLE];
  return typeof reason === 'string' ? reason : undefined;
}
