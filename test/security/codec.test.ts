/** The AES-256-GCM payload codec and its environment configuration. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { ConfigError } from '../../src/config/config';
import { AesGcmCodec, CodecConfigError, ENCODING_ENCRYPTED, loadCodecFromEnv, PayloadDecryptionError } from '../../src/security/codec';
import { dataConverterFromEnv } from '../../src/security/data-converter';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const env = (keys: string, current?: string): NodeJS.ProcessEnv => ({
  SPDR_CODEC_KEYS: keys,
  ...(current ? { SPDR_CODEC_CURRENT_KEY: current } : {}),
});

const report = { reportId: 'R-1', description: 'SECRET-CUSTOMER-ACME-1234', kpis: [{ name: 'latency', observed: 4200 }] };

describe('AesGcmCodec', () => {
  const codec = new AesGcmCodec({ keys: [{ id: 'k1', key: k1 }], currentKeyId: 'k1' });

  it('round-trips a payload, hiding its content and its original encoding', async () => {
    const [encrypted] = await codec.encode([toPayload(report)]);
    expect(text(encrypted.metadata!.encoding)).toBe(ENCODING_ENCRYPTED);
    expect(text(encrypted.metadata!['encryption-key-id'])).toBe('k1');
    expect(Object.keys(encrypted.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(text(encrypted.data)).not.toContain('SECRET-CUSTOMER');
    expect(text(encrypted.data)).not.toContain('json/plain');
    const [decrypted] = await codec.decode([encrypted]);
    expect(text(decrypted.metadata!.encoding)).toBe('json/plain');
    expect(fromPayload(decrypted)).toEqual(report);
  });

  it('uses a fresh IV per payload: the same value never encrypts to the same bytes', async () => {
    const [a, b] = await codec.encode([toPayload(report), toPayload(report)]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
    expect(Buffer.from(a.data!).subarray(0, 12).equals(Buffer.from(b.data!).subarray(0, 12))).toBe(false);
  });

  it('refuses a tampered ciphertext (GCM authentication), naming the key id only', async () => {
    const [encrypted] = await codec.encode([toPayload(report)]);
    const data = Buffer.from(encrypted.data!);
    data[20] ^= 0x01;
    await expect(codec.decode([{ ...encrypted, data }])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...encrypted, data }])).rejects.toThrow(/key id "k1" failed authentication/);
    // A payload relabelled with another key id also fails: the key id is authenticated data.
    const both = new AesGcmCodec({
      keys: [
        { id: 'k1', key: k1 },
        { id: 'k2', key: k1 },
      ],
      currentKeyId: 'k1',
    });
    const relabelled = { ...encrypted, metadata: { ...encrypted.metadata, 'encryption-key-id': Buffer.from('k2') } };
    await expect(both.decode([relabelled])).rejects.toThrow(/key id "k2" failed authentication/);
    // A truncated one too.
    await expect(codec.decode([{ ...encrypted, data: data.subarray(0, 10) }])).rejects.toThrow(/truncated/);
  });

  it('rotation: data encrypted with k1 still decodes once k2 is current while k1 is still listed', async () => {
    const [old] = await codec.encode([toPayload(report)]);
    const rotated = loadCodecFromEnv(env(`k1:${k1.toString('base64')},k2:${k2.toString('base64')}`, 'k2'))!;
    const [fresh] = await rotated.encode([toPayload('new data')]);
    expect(text(fresh.metadata!['encryption-key-id'])).toBe('k2');
    const [oldBack, freshBack] = await rotated.decode([old, fresh]);
    expect(fromPayload(oldBack)).toEqual(report);
    expect(fromPayload(freshBack)).toBe('new data');
  });

  it('an unknown key id fails with a clear error naming the key id, never a key', async () => {
    const [old] = await codec.encode([toPayload(report)]);
    const onlyK2 = new AesGcmCodec({ keys: [{ id: 'k2', key: k2 }], currentKeyId: 'k2' });
    const failure = await onlyK2.decode([old]).then(
      () => new Error('decoded with an unknown key'),
      (err: unknown) => err as Error,
    );
    expect(failure).toBeInstanceOf(PayloadDecryptionError);
    expect(failure.message).toMatch(/encrypted with key id "k1", which is not configured \(known key ids: k2\)/);
    expect(failure.message).not.toContain(k1.toString('base64'));
    expect(failure.message).not.toContain(k2.toString('base64'));
  });

  it('passes unencrypted payloads through untouched (reports written before encryption stay readable)', async () => {
    const plain = toPayload(report);
    const [out] = await codec.decode([plain]);
    expect(out).toBe(plain);
    const binary = defaultPayloadConverter.toPayload(new Uint8Array([1, 2, 3]));
    const nullish = defaultPayloadConverter.toPayload(undefined);
    expect(await codec.decode([binary, nullish])).toEqual([binary, nullish]);
  });
});

describe('loadCodecFromEnv', () => {
  it('is off (undefined) when no key is configured; blank values count as unset', () => {
    expect(loadCodecFromEnv({})).toBeUndefined();
    expect(loadCodecFromEnv({ SPDR_CODEC_KEYS: ' ', SPDR_CODEC_CURRENT_KEY: '' })).toBeUndefined();
    expect(dataConverterFromEnv({})).toBeUndefined();
  });

  it('takes the only key as current when SPDR_CODEC_CURRENT_KEY is left out', () => {
    const codec = loadCodecFromEnv(env(`k1:${k1.toString('base64')}`))!;
    expect(codec.currentKeyId).toBe('k1');
    expect(dataConverterFromEnv(env(`k1:${k1.toString('base64')}`))?.payloadCodecs).toHaveLength(1);
  });

  it('reports one line per problem and never echoes key material', () => {
    const short = randomBytes(16).toString('base64');
    const good = k1.toString('base64');
    const bare = k2.toString('base64');
    const bad = env(`k1:${good},k2:${short},${bare},bad id:${good},k1:${good},k3:not*base64`, 'k9');
    let error: ConfigError | undefined;
    try {
      loadCodecFromEnv(bad);
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(CodecConfigError);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'SPDR_CODEC_KEYS[1]: key "k2" must be 32 bytes in base64, e.g. from `openssl rand -base64 32` (decodes to 16 bytes)',
      'SPDR_CODEC_KEYS[2]: must be keyId:base64key (no ":" found)',
      'SPDR_CODEC_KEYS[3]: the key id must be 1-64 letters, digits, ".", "_" or "-"',
      'SPDR_CODEC_KEYS[5]: key "k3" must be 32 bytes in base64, e.g. from `openssl rand -base64 32` (not valid base64)',
    ]);
    for (const secret of [short, good, bare]) expect(error!.message).not.toContain(secret);
    expect(error!.message.split('\n')[0]).toBe('Invalid payload encryption configuration:');
  });

  it('names a current key that is not listed, a duplicate id, and a missing current key', () => {
    const good = k1.toString('base64');
    const problems = (e: NodeJS.ProcessEnv) => {
      try {
        loadCodecFromEnv(e);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems(env(`k1:${good}`, 'k2'))).toEqual([
      'SPDR_CODEC_CURRENT_KEY: names key id "k2", which is not listed in SPDR_CODEC_KEYS (listed: k1)',
    ]);
    expect(problems(env(`k1:${good},k1:${k2.toString('base64')}`, 'k1'))).toEqual(['SPDR_CODEC_KEYS: key id "k1" is listed twice']);
    expect(problems(env(`k1:${good},k2:${k2.toString('base64')}`))).toEqual([
      'SPDR_CODEC_CURRENT_KEY: is required when several keys are listed (one of: k1, k2)',
    ]);
    expect(problems({ SPDR_CODEC_CURRENT_KEY: 'k1' })[0]).toMatch(/^SPDR_CODEC_KEYS: is required/);
  });
});
