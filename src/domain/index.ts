/**
 * The pure domain core of the service performance degradation report: schemas and types,
 * the status machine, the jeopardy calculator and the report functions. No Temporal, no clock,
 * no I/O: safe to import from workflow code.
 */
export * from './duration';
export * from './policy';
export * from './schemas';
export * from './status';
export * from './jeopardy';
export * from './pauses';
export * from './task-plan';
export {
  DELEGATED_TASK_PREFIX,
  RESOURCE_TROUBLE_ASSIGNEE,
  SYSTEM_ACTOR,
  applyCommand,
  formatIssues,
  nextWakeUp,
  openReport,
  parseMessage,
  parseStartInput,
  payloadPreview,
  receive,
  recordRejection,
  tick,
  type CommandContext,
  type CommandResult,
  type OpenOptions,
  type Outcome,
} from './report';
export * from './ids';
export * from './text';
export * from './stats-facts';
