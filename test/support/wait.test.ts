/** The shared wait must fail loudly: a wait that returns on timeout lets a check pass without its condition. */
import { describe, expect, it } from 'vitest';
import { eventually, eventuallyDefined } from './wait';

describe('eventually', () => {
  it('returns the first value that satisfies the condition', async () => {
    let n = 0;
    await expect(
      eventually(
        () => ++n,
        (v) => v >= 3,
        'three reads',
        1_000,
        1,
      ),
    ).resolves.toBe(3);
  });

  it('throws on timeout, naming what it waited for and the last value', async () => {
    await expect(
      eventually(
        () => 41,
        (v) => v === 42,
        'the answer',
        50,
        5,
      ),
    ).rejects.toThrow(/timed out after 50 ms waiting for the answer; last value: 41/);
  });

  it('throws on timeout with the last error when every read failed', async () => {
    const read = (): number => {
      throw new Error('connection refused');
    };
    await expect(eventually(read, () => true, 'a server', 50, 5)).rejects.toThrow(
      /waiting for a server; last error: Error: connection refused/,
    );
  });

  it('eventuallyDefined waits for a value and throws when none comes', async () => {
    const box: { value?: string } = {};
    setTimeout(() => (box.value = 'here'), 10);
    await expect(eventuallyDefined(() => box.value, 'the value', 1_000, 2)).resolves.toBe('here');
    await expect(eventuallyDefined(() => undefined, 'nothing', 30, 5)).rejects.toThrow(/waiting for nothing/);
  });
});
