/**
 * Size fence: no function over 80 lines in src/, bench/, test/ or scripts/ (a `describe` callback
 * groups tests and is not counted; a single `it` body is), no file in src/ over 400 lines. The
 * lists below held the ones that predated the fence; they are empty now and may only stay so.
 */
import { describe, expect, it } from 'vitest';
import { longFunctionsIn, scan } from '../scripts/long-functions';

/** `file name` of a function over the limit that predates the fence (none left; never add to this list). */
const NOT_YET_SPLIT = new Set<string>([]);
const FILES_NOT_YET_SPLIT = new Set<string>([]);

describe('size fence', () => {
  const { functions, files } = scan(process.cwd());

  it('no new function over 80 lines', () => {
    expect(functions.map((f) => `${f.file} ${f.name}`).filter((key) => !NOT_YET_SPLIT.has(key))).toEqual([]);
  });

  it('no new source file over 400 lines', () => {
    expect(files.map((f) => f.file).filter((file) => !FILES_NOT_YET_SPLIT.has(file))).toEqual([]);
  });

  it('the list of functions not yet split only shrinks: a split one is taken off it', () => {
    const found = new Set(functions.map((f) => `${f.file} ${f.name}`));
    expect([...NOT_YET_SPLIT].filter((key) => !found.has(key))).toEqual([]);
    expect([...FILES_NOT_YET_SPLIT].filter((file) => !files.some((f) => f.file === file))).toEqual([]);
  });

  it('finds an 81-line function and an 81-line test body, but not a long describe callback', () => {
    const body = Array.from({ length: 79 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const code = `export function long(): void {\n${body}\n}\ndescribe('group', () => {\n${body}\n${body}\n});\nit('one', () => {\n${body}\n});\n`;
    const found = longFunctionsIn('probe.ts', code, 80);
    expect(found.map((f) => [f.name, f.lines])).toEqual([
      ['long', 81],
      ['it callback "one"', 81],
    ]);
  });
});
