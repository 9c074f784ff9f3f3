/**
 * The contract of a service performance degradation report: workflow type, default task queue,
 * workflow id, message definitions, settings and carried state. The workflow, the worker, the
 * client, the callback listener, the tests and the benchmark import these instead of spelling
 * names. Safe to import from workflow code (no Node built-ins).
 */
export * from './workflow';
export * from './messages';
export * from './settings';
