/**
 * Lists functions longer than a limit (default 80 lines) and source files longer than 400 lines
 * in src/, bench/, test/ and scripts/. A `describe` callback is a group of tests, not a function,
 * so it is not counted; every other function (a single `it` body included) is.
 *
 * Usage: `npx tsx scripts/long-functions.ts [--max 80] [--max-file 400]`; exits 1 when any is found.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface LongThing {
  file: string;
  line: number;
  name: string;
  lines: number;
}

const ROOTS = ['src', 'bench', 'test', 'scripts'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|cts)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function isDescribeCallback(node: ts.Node): boolean {
  const call = node.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(node as ts.Expression)) return false;
  let callee: ts.Expression = call.expression;
  while (ts.isPropertyAccessExpression(callee) || ts.isCallExpression(callee))
    callee = ts.isPropertyAccessExpression(callee) ? callee.expression : callee.expression;
  return ts.isIdentifier(callee) && callee.text === 'describe';
}

function nameOf(node: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string {
  if (node.name) return node.name.getText(sf);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  if (ts.isCallExpression(parent)) {
    const first = parent.arguments[0];
    const label = first && ts.isStringLiteralLike(first) ? ` "${first.text.slice(0, 60)}"` : '';
    return `${parent.expression.getText(sf).slice(0, 40)} callback${label}`;
  }
  return '(anonymous)';
}

/** Functions over `maxLines` lines in one file's text. */
export function longFunctionsIn(file: string, text: string, maxLines: number): LongThing[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongThing[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined && !isDescribeCallback(node)) {
      const fn = node as ts.FunctionLikeDeclaration;
      const start = sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(fn.getEnd()).line;
      const lines = end - start + 1;
      if (lines > maxLines) found.push({ file, line: start + 1, name: nameOf(fn, sf), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Every function over `maxLines` and every file over `maxFileLines`, under the repository root. */
export function scan(root: string, maxLines = 80, maxFileLines = 400): { functions: LongThing[]; files: LongThing[] } {
  const functions: LongThing[] = [];
  const files: LongThing[] = [];
  for (const dir of ROOTS) {
    for (const path of sourceFiles(join(root, dir))) {
      const file = relative(root, path);
      const text = readFileSync(path, 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (dir === 'src' && lines > maxFileLines) files.push({ file, line: 1, name: file, lines });
      functions.push(...longFunctionsIn(file, text, maxLines));
    }
  }
  return { functions, files };
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

if (require.main === module) {
  const { functions, files } = scan(process.cwd(), option('--max', 80), option('--max-file', 400));
  for (const f of functions) console.log(`${f.file}:${f.line} ${f.name}: ${f.lines} lines`);
  for (const f of files) console.log(`${f.file}: ${f.lines} lines (file)`);
  console.log(`${functions.length} function(s) over the limit, ${files.length} file(s) over the limit`);
  process.exit(functions.length + files.length > 0 ? 1 : 0);
}
