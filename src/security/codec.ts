/**
 * Payload encryption: a Temporal {@link PayloadCodec} that seals every payload with AES-256-GCM, so
 * report data (descriptions, analysis, assignments, KPIs) is not stored in clear in Temporal's
 * database. Opt-in: with no keys configured, {@link loadCodecFromEnv} returns undefined.
 *
 * Wire format of an encrypted payload:
 *   metadata  encoding = "binary/encrypted", encryption-key-id = <key id>
 *   data      IV (12 random bytes) || ciphertext || GCM auth tag (16 bytes)
 * The plaintext is the whole original payload (metadata and data, protobuf-encoded), so its
 * encoding is hidden too and comes back exactly. The key id is bound as additional authenticated
 * data, so relabelling a payload with another key id fails authentication.
 *
 * Keys rotate by id: encrypt with the current key, decrypt with any listed key. Payloads written
 * without encryption (reports opened before the codec was switched on, or a signal typed in
 * Temporal Web without a codec server) pass through decode untouched.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { ConfigError } from '../config/config';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_ENCODING_KEY = 'encoding';
export const METADATA_KEY_ID = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A decryption failure: names the key id and the reason, never key material or plaintext. */
export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/** Thrown by {@link loadCodecFromEnv}: one line per problem; key values are never echoed. */
export class CodecConfigError extends ConfigError {
  constructor(problems: readonly string[]) {
    super(problems);
    this.name = 'CodecConfigError';
    this.message = `Invalid payload encryption configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  }
}

export interface CodecKey {
  id: string;
  /** 32 bytes. */
  key: Uint8Array;
}

export interface AesGcmCodecOptions {
  /** Every key that may have encrypted a stored payload; the current one included. */
  keys: readonly CodecKey[];
  /** The id of the key new payloads are encrypted with. */
  currentKeyId: string;
}

/** AES-256-GCM payload codec with key ids for rotation. */
export class AesGcmCodec implements PayloadCodec {
  readonly currentKeyId: string;
  readonly #keys: ReadonlyMap<string, Buffer>;

  constructor({ keys, currentKeyId }: AesGcmCodecOptions) {
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (key.byteLength !== KEY_BYTES) throw new Error(`encryption key "${id}" must be ${KEY_BYTES} bytes`);
      if (map.has(id)) throw new Error(`encryption key id "${id}" is listed twice`);
      map.set(id, Buffer.from(key));
    }
    if (!map.has(currentKeyId)) throw new Error(`current encryption key id "${currentKeyId}" is not among the keys`);
    this.#keys = map;
    this.currentKeyId = currentKeyId;
  }

  /** The key ids this codec can decrypt (never the keys). */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encryptOne(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decryptOne(payload));
  }

  private encryptOne(payload: Payload): Payload {
    const keyId = this.currentKeyId;
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#keys.get(keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(utf8.encode(keyId));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8.encode(ENCODING_ENCRYPTED),
        [METADATA_KEY_ID]: utf8.encode(keyId),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decryptOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || fromUtf8.decode(encoding) !== ENCODING_ENCRYPTED) return payload;
    const rawKeyId = payload.metadata?.[METADATA_KEY_ID];
    if (!rawKeyId || rawKeyId.byteLength === 0) {
      throw new PayloadDecryptionError(`encrypted payload has no "${METADATA_KEY_ID}" metadata; cannot choose a key`);
    }
    const keyId = fromUtf8.decode(rawKeyId);
    const key = this.#keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `payload was encrypted with key id "${printable(keyId)}", which is not configured (known key ids: ${this.keyIds.join(', ')}); ` +
          'add that key to SPDR_CODEC_KEYS to read it',
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.byteLength < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`encrypted payload (key id "${keyId}") is truncated: ${data.byteLength} bytes`);
    }
    const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const iv = buffer.subarray(0, IV_BYTES);
    const tag = buffer.subarray(buffer.length - TAG_BYTES);
    const ciphertext = buffer.subarray(IV_BYTES, buffer.length - TAG_BYTES);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(utf8.encode(keyId));
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `payload encrypted with key id "${keyId}" failed authentication: it was altered, or the key listed under that id is not the one that encrypted it`,
      );
    }
    const decoded = temporal.api.common.v1.Payload.decode(plaintext);
    return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
  }
}

/** A key id read from untrusted metadata, clipped and stripped of control characters for messages. */
function printable(text: string): string {
  const clean = text.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 61)}...` : clean;
}

// ---------------------------------------------------------------------------------------------
// Configuration from the environment

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const keyEntry = z.string().transform((entry, ctx): CodecKey => {
  const colon = entry.indexOf(':');
  if (colon < 0) {
    // Never echo the entry: it is most likely a bare key.
    ctx.addIssue({ code: 'custom', message: 'must be keyId:base64key (no ":" found)' });
    return z.NEVER;
  }
  const id = entry.slice(0, colon).trim();
  const material = entry.slice(colon + 1).trim();
  if (!KEY_ID.test(id)) {
    ctx.addIssue({ code: 'custom', message: 'the key id must be 1-64 letters, digits, ".", "_" or "-"' });
    return z.NEVER;
  }
  const key = BASE64.test(material) ? Buffer.from(material, 'base64') : undefined;
  if (!key || key.byteLength !== KEY_BYTES) {
    const got = key ? `decodes to ${key.byteLength} bytes` : 'not valid base64';
    ctx.addIssue({
      code: 'custom',
      message: `key "${id}" must be ${KEY_BYTES} bytes in base64, e.g. from \`openssl rand -base64 32\` (${got})`,
    });
    return z.NEVER;
  }
  return { id, key };
});

const CodecEnvSchema = z
  .object({
    SPDR_CODEC_KEYS: z
      .string({ error: 'is required when SPDR_CODEC_CURRENT_KEY is set (comma-separated keyId:base64key entries)' })
      .transform((text) =>
        text
          .split(',')
          .map((e) => e.trim())
          .filter((e) => e.length > 0),
      )
      .pipe(z.array(keyEntry).min(1, 'must list at least one keyId:base64key entry')),
    SPDR_CODEC_CURRENT_KEY: z.string().regex(KEY_ID, 'must be a key id listed in SPDR_CODEC_KEYS').optional(),
  })
  .superRefine((raw, ctx) => {
    const seen = new Set<string>();
    for (const { id } of raw.SPDR_CODEC_KEYS) {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['SPDR_CODEC_KEYS'], message: `key id "${id}" is listed twice` });
      seen.add(id);
    }
    if (raw.SPDR_CODEC_CURRENT_KEY === undefined) {
      if (raw.SPDR_CODEC_KEYS.length > 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['SPDR_CODEC_CURRENT_KEY'],
          message: `is required when several keys are listed (one of: ${[...seen].join(', ')})`,
        });
      }
    } else if (!seen.has(raw.SPDR_CODEC_CURRENT_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SPDR_CODEC_CURRENT_KEY'],
        message: `names key id "${raw.SPDR_CODEC_CURRENT_KEY}", which is not listed in SPDR_CODEC_KEYS (listed: ${[...seen].join(', ') || 'none'})`,
      });
    }
  });

function blankToUndefined(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/** Where a zod issue points, as the variable (and entry) an operator edits. */
function where(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return rest.reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : `${name}.${part}`), head ?? '(root)');
}

/**
 * The codec configured by `SPDR_CODEC_KEYS` (comma-separated `keyId:base64key`, 32-byte keys) and
 * `SPDR_CODEC_CURRENT_KEY` (the id new payloads are encrypted with; may be left out when one key is
 * listed). Both unset: undefined, encryption off.
 * @throws CodecConfigError (a ConfigError) with one line per problem; key material is never included.
 */
export function loadCodecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmCodec | undefined {
  const raw = {
    SPDR_CODEC_KEYS: blankToUndefined(env.SPDR_CODEC_KEYS),
    SPDR_CODEC_CURRENT_KEY: blankToUndefined(env.SPDR_CODEC_CURRENT_KEY),
  };
  if (raw.SPDR_CODEC_KEYS === undefined && raw.SPDR_CODEC_CURRENT_KEY === undefined) return undefined;
  const parsed = CodecEnvSchema.safeParse(raw);
  if (!parsed.success) {
    // Messages are ours (above) or zod's generic ones; no issue carries the input value.
    throw new CodecConfigError([...new Set(parsed.error.issues.map((issue) => `${where(issue.path)}: ${issue.message}`))]);
  }
  const keys = parsed.data.SPDR_CODEC_KEYS;
  return new AesGcmCodec({ keys, currentKeyId: parsed.data.SPDR_CODEC_CURRENT_KEY ?? keys[0].id });
}
