/**
 * The workflow's payload converter (`payloadConverterPath`, bundled into the workflow sandbox):
 * Temporal's default JSON/binary converter, except that a payload it cannot convert becomes an
 * {@link UndecodablePayload} marker naming the encoding and the problem instead of an error. A
 * signal or update with such a payload is then refused like any other bad input; an error here
 * would instead fail every workflow task of the report from then on.
 */
import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import { ENCODING_UNDECODABLE, METADATA_UNDECODABLE_REASON, undecodable } from './undecodable';

const METADATA_KEY_ID = 'encryption-key-id';

/** Metadata values are bytes from outside: decoded, stripped of control characters, clipped. */
function text(bytes: Uint8Array | null | undefined): string {
  if (!bytes || bytes.byteLength === 0) return '';
  let out = '';
  for (const byte of bytes.subarray(0, 200)) out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?';
  return bytes.byteLength > 200 ? `${out}...` : out;
}

export function undecodableReasonOf(payload: Payload, err: unknown): string {
  const encoding = text(payload.metadata?.encoding);
  if (encoding === ENCODING_UNDECODABLE) return text(payload.metadata?.[METADATA_UNDECODABLE_REASON]) || 'payload could not be decoded';
  if (encoding === 'binary/encrypted') {
    const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
    return `payload is encrypted (encoding "binary/encrypted", key id "${keyId || 'none'}") and this worker has no payload codec to decrypt it: configure SPDR_CODEC_KEYS on the worker, or send it unencrypted`;
  }
  const detail = err instanceof Error ? err.message : String(err);
  return `payload with encoding "${encoding || 'none'}" could not be decoded: ${detail.slice(0, 200)}`;
}

class TolerantPayloadConverter implements PayloadConverter {
  toPayload<T>(value: T): Payload {
    return defaultPayloadConverter.toPayload(value);
  }

  fromPayload<T>(payload: Payload): T {
    try {
      if (text(payload.metadata?.encoding) === ENCODING_UNDECODABLE) throw new Error('marked undecodable');
      return defaultPayloadConverter.fromPayload<T>(payload);
    } catch (err) {
      return undecodable(undecodableReasonOf(payload, err)) as T;
    }
  }
}

export const payloadConverter: PayloadConverter = new TolerantPayloadConverter();
