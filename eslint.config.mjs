// Lint: TypeScript rules everywhere, plus the determinism fence around workflow code.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.temporal/**', '.data/**', 'bench/results/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    // Type-aware: the rules below need the TypeScript program (tsconfig.json) to see promises and unions.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // A promise nobody awaits loses its failure (an unhandled chain in timer code, a forgotten send).
      '@typescript-eslint/no-floating-promises': 'error',
      // A switch over a union names every member, or says why not with a default.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Plain JavaScript (this file, scripts) is outside tsconfig.json: no type information there.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Workflow code, the contract it imports and the pure domain core run inside Temporal's
    // deterministic sandbox: no Node built-ins, no I/O, no wall clock, no randomness, no real timers.
    files: ['src/workflows/**/*.ts', 'src/contract/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `node:${m}`)].map((name) => ({
            name,
            message: 'Node built-ins are not available in the workflow sandbox; do I/O in an activity.',
          })),
          patterns: [
            {
              group: ['@temporalio/activity', '@temporalio/worker', '@temporalio/client', '@temporalio/testing'],
              message: 'Workflow code may only import @temporalio/workflow and @temporalio/common.',
            },
            {
              group: ['**/activities', '**/activities/index', '**/integrations/**', '**/simulators/**'],
              allowTypeImports: true,
              message: 'Import activity types only (import type), never implementations.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use a workflow timer loop.' },
        { name: 'setImmediate', message: 'Not deterministic in workflows.' },
        { name: 'fetch', message: 'Do HTTP in an activity.' },
        { name: 'process', message: 'No process access in workflows.' },
        { name: 'require', message: 'Use static imports.' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use uuid4() / the workflow-seeded Math.random is fine but keep the domain pure: pass randomness in.',
        },
      ],
    },
  },
  {
    // The pure core has no clock at all: time is always passed in.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'The domain core takes time as an argument.',
        },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain core takes time as an argument.' },
        { selector: 'ImportDeclaration[source.value=/^@temporalio/]', message: 'The domain core has no Temporal import.' },
      ],
    },
  },
);
