/**
 * The data converter that the worker and every client share. With `SPDR_CODEC_KEYS` set, payloads
 * (workflow input and result, signal, update and query arguments and results, activity input and
 * output, Temporal Web summaries and details) are encrypted before they leave the process; without
 * it, undefined (Temporal's default converter, nothing encrypted).
 *
 * Worker and clients must agree: a client without the codec cannot read encrypted reports (it sees
 * `binary/encrypted` payloads), and a worker without it cannot run them.
 */
import type { DataConverter } from '@temporalio/common';
import { loadCodecFromEnv } from './codec';

/** `{ payloadCodecs: [codec] }` for Client and Worker options, or undefined when encryption is off. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const codec = loadCodecFromEnv(env);
  return codec ? { payloadCodecs: [codec] } : undefined;
}

/** A log line describing the encryption setting (key ids only, never keys). */
export function describeEncryption(env: NodeJS.ProcessEnv = process.env): string {
  const codec = loadCodecFromEnv(env);
  return codec
    ? `payload encryption: AES-256-GCM, current key id "${codec.currentKeyId}", readable key ids ${codec.keyIds.join(', ')}`
    : 'payload encryption: off (set SPDR_CODEC_KEYS to encrypt report data)';
}
