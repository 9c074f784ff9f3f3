#!/usr/bin/env node
// npm bin entry: runs the TypeScript CLI through tsx so no build step is needed.
require('tsx/cjs');
require('../src/starter.ts').runCli();
