import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

// Lint is type-aware (tsconfig.json's program), so the probes are linted as the text of files in it.
const WORKFLOW_FILE = 'src/workflows/index.ts';
const DOMAIN_FILE = 'src/domain/index.ts';
const CONTRACT_FILE = 'src/contract/index.ts';
const ACTIVITY_FILE = 'src/activities/index.ts';

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('determinism fence around workflow code', () => {
  it('refuses Node built-ins inside src/workflows', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", WORKFLOW_FILE)).toContain(
      'no-restricted-imports',
    );
  });

  it('refuses Node built-ins inside src/contract, which the workflow bundle imports', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", CONTRACT_FILE)).toContain(
      'no-restricted-imports',
    );
  });

  it('refuses real timers and fetch inside src/workflows', async () => {
    const ids = await ruleIds('export function f(): void { setTimeout(() => undefined, 1); void fetch("http://x"); }\n', WORKFLOW_FILE);
    expect(ids.filter((id) => id === 'no-restricted-globals')).toHaveLength(2);
  });

  it('refuses the wall clock inside the pure domain core', async () => {
    expect(await ruleIds('export const now = (): number => Date.now();\n', DOMAIN_FILE)).toContain('no-restricted-syntax');
  });

  it('allows the same code outside the sandbox', async () => {
    expect(await ruleIds("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", ACTIVITY_FILE)).toEqual([]);
  });
});

describe('type-aware lint', () => {
  it('flags a promise nobody awaits, as in timer code that drops a rejection', async () => {
    const code = 'export async function fire(): Promise<void> {}\nexport function arm(): void { fire(); }\n';
    expect(await ruleIds(code, WORKFLOW_FILE)).toContain('@typescript-eslint/no-floating-promises');
  });

  it('flags a switch over a union that forgets a member', async () => {
    const code =
      'export function rank(s: "open" | "closed"): number {\n  switch (s) {\n    case "open":\n      return 1;\n  }\n  return 0;\n}\n';
    expect(await ruleIds(code, DOMAIN_FILE)).toContain('@typescript-eslint/switch-exhaustiveness-check');
  });
});
