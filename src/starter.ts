#!/usr/bin/env node
/**
 * `starter`: open and steer reports from scripts and terminals.
 */
import { readFileSync } from 'node:fs';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { connectClient, loadTemporalTarget } from './infra/connection';


const USAGE = `usage: starter <command>
  open <file.json|->          open a report from a JSON file (or stdin)
  show <reportId> [--json]    show a report
  signal <reportId> <name> <json>  send a signal (addAnalysis, clear, ...)`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const client = await connectClient(loadTemporalTarget());
  switch (cmd) {
    case 'open': {
      const file = rest[0];
      if (!file) throw new UsageError('open needs a file (or - for stdin)');
      const input = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8')) as { reportId?: string };
      const workflowId = `spdr-${input.reportId}`;
      try {
        await client.workflow.start('degradationReport', { taskQueue: process.env.SPDR_TASK_QUEUE || 'service-quality', workflowId, args: [input] });
        console.log(`opened ${workflowId}`);
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          console.log(`${workflowId} is already open`);
        } else throw err;
      }
      return 0;
    }
    case 'show': {
      const report = await client.workflow.getHandle(`spdr-${rest[0]}`).query('report');
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    case 'signal': {
      const [reportId, name, json] = rest;
      if (!reportId || !name || !json) throw new UsageError('signal needs <reportId> <name> <json>');
      await client.workflow.getHandle(`spdr-${reportId}`).signal(name, JSON.parse(json));
      console.log(`sent ${name} to spdr-${reportId}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    if (err instanceof UsageError) console.error(USAGE);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
