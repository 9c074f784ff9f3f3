/**
 * What every starter command shares: the exit codes, the command shape, the help texts about
 * connection and exit codes, and reading arguments and payloads (validated before anything is sent).
 */
import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { SpdrInvalidInputError, type SpdrClient } from '../client';
import { DEFAULT_TASK_QUEUE } from '../contract';
import { MESSAGE_NAMES } from '../domain';

/** Exit codes; stable, scripts depend on them. */
export const EXIT = {
  ok: 0,
  other: 1,
  /** Usage error or bad input (the message names the field). */
  badInput: 2,
  unknownReport: 3,
  unreachable: 4,
  /** The report refused the update (illegal transition, ...) or has ended. */
  rejected: 5,
} as const;

export class UsageError extends Error {}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C (only `watch` listens). */
  interrupt: AbortSignal;
}

type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

export interface Command {
  usage: string;
  summary: string;
  help: string;
  options: Options;
  /** Checks the arguments and validates input (no server needed), then returns what talks to the server. */
  prepare(args: string[], values: Values, io: Io): (spdr: SpdrClient) => Promise<number>;
}

export const CONNECTION_HELP = `Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE
(@temporalio/envconfig, the same settings as the worker); task queue SPDR_TASK_QUEUE (default ${DEFAULT_TASK_QUEUE}).`;

export const EXIT_HELP = `Exit codes: 0 ok, 2 usage or bad input, 3 unknown report, 4 Temporal unreachable,
5 rejected by the report, 1 anything else.`;

export const MESSAGE_HELP = `Messages: ${MESSAGE_NAMES.join(', ')}.
Payload: inline JSON, @file.json, or @- for stdin. Examples in examples/messages/.`;

export function readSource(source: string, what: string): string {
  try {
    return readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    throw new SpdrInvalidInputError(`cannot read ${what} ${source === '-' ? 'from stdin' : source}: ${(err as Error).message}`);
  }
}

export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SpdrInvalidInputError(`${where}: invalid JSON (${(err as Error).message})`);
  }
}

/** `<json|@file|@->`: inline JSON, or a file / stdin after `@`. */
export function readPayload(arg: string): unknown {
  if (arg.startsWith('@')) {
    const source = arg.slice(1);
    return parseJson(readSource(source, 'payload'), source === '-' ? 'stdin' : source);
  }
  return parseJson(arg, 'payload');
}

export function positional(args: string[], count: number, names: string): string[] {
  if (args.length !== count)
    throw new UsageError(`expected ${names}, got ${args.length === 0 ? 'nothing' : args.map((a) => JSON.stringify(a)).join(' ')}`);
  return args;
}

export const list = (value: string | boolean | undefined): string[] | undefined =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0)
    : undefined;
