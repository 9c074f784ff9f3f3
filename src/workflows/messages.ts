/** The message definitions live in the contract (`src/contract`); re-exported for the workflow's imports. */
export {
  correlateSignal,
  correlationQuery,
  groupLinkSignal,
  MESSAGE_DESCRIPTIONS,
  MESSAGES,
  reportQuery,
  type CorrelateMessage,
  type CorrelationView,
  type UpdateResult,
} from '../contract';
