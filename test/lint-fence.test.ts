import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('determinism fence around workflow code', () => {
  it('refuses Node built-ins inside src/workflows', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'src/workflows/bad.ts')).toContain('no-restricted-imports');
  });

  it('refuses real timers and fetch inside src/workflows', async () => {
    const ids = await ruleIds('export function f(): void { setTimeout(() => undefined, 1); void fetch("http://x"); }\n', 'src/workflows/bad.ts');
    expect(ids.filter((id) => id === 'no-restricted-globals')).toHaveLength(2);
  });

  it('refuses the wall clock inside the pure domain core', async () => {
    expect(await ruleIds('export const now = (): number => Date.now();\n', 'src/domain/bad.ts')).toContain('no-restricted-syntax');
  });

  it('allows the same code outside the sandbox', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", 'src/activities/ok.ts')).toEqual([]);
  });
});
