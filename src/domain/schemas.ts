/**
 * The vocabulary of a service performance degradation report (SPDR): start input, message
 * payloads, the report itself and the effects the core asks the shell to run. Every type is
 * inferred from its schema so validation and type never drift.
 *
 * Every object schema is strict: an unknown field is rejected, naming the field, at start as in
 * signals. Operators type these payloads by hand in Temporal Web, and a silently ignored typo
 * ("resouceId") would be worse than a clear rejection.
 */
export { Severity } from './policy';
export * from './vocabulary';
export * from './payloads';
export * from './report-state';
export * from './effects';
