/**
 * The data converter that the worker and every client share. With `SPDR_CODEC_KEYS` set, payloads
 * (workflow input and result, signal, update and query arguments and results, activity input and
 * output, Temporal Web summaries and details) are encrypted before they leave the process; without
 * it, undefined (Temporal's default converter, nothing encrypted).
 *
 * Worker and clients must agree: a client without the codec cannot read encrypted reports (it sees
 * `binary/encrypted` payloads), and a worker without it cannot run them.
 */
import { resolve } from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { ENCODING_UNDECODABLE, METADATA_UNDECODABLE_REASON } from '../workflows/undecodable';
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

/** The workflow payload converter module, bundled into the workflow sandbox (see src/workflows/payload-converter.ts). */
export const PAYLOAD_CONVERTER_PATH = resolve(__dirname, '..', 'workflows', 'payload-converter.ts');

/**
 * Wraps a codec for the worker: a payload the codec cannot decode (a key id the worker does not
 * hold, a tampered or truncated ciphertext) comes out as a payload with encoding
 * `binary/spdr-undecodable` and the codec's reason, which the workflow's payload converter turns
 * into a refusal. Without this, one such signal fails every workflow task of its report. Clients
 * keep the plain codec: for them a decode error is the right answer.
 */
export class MarkUndecodableCodec implements PayloadCodec {
  constructor(private readonly inner: PayloadCodec) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return this.inner.encode(payloads);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    try {
      return await this.inner.decode(payloads);
    } catch {
      // One by one, so only the bad payloads are marked.
      return Promise.all(payloads.map(async (payload) => await this.decodeOne(payload)));
    }
  }

  private async decodeOne(payload: Payload): Promise<Payload> {
    try {
      const [decoded] = await this.inner.decode([payload]);
      return decoded;
    } catch (err) {
      const reason = `payload could not be decoded: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
      return {
        metadata: { encoding: utf8.encode(ENCODING_UNDECODABLE), [METADATA_UNDECODABLE_REASON]: utf8.encode(reason) },
        data: new Uint8Array(),
      };
    }
  }
}

const utf8 = new TextEncoder();

/**
 * The worker's data converter: every codec wrapped in {@link MarkUndecodableCodec}. The workflow
 * payload converter ({@link PAYLOAD_CONVERTER_PATH}) is part of the workflow bundle
 * (infra/workflow-bundle.ts); `bundled: false` also names it for a worker that bundles itself.
 */
export function workerDataConverter(
  dataConverter: DataConverter | undefined,
  { bundled = true }: { bundled?: boolean } = {},
): DataConverter {
  return {
    ...dataConverter,
    ...(bundled ? {} : { payloadConverterPath: PAYLOAD_CONVERTER_PATH }),
    payloadCodecs: dataConverter?.payloadCodecs?.map((codec) => new MarkUndecodableCodec(codec)),
  };
}
