/** The message definitions live in the contract (`src/contract`); re-exported for the workflow's imports. */
export { groupLinkSignal, MESSAGE_DESCRIPTIONS, MESSAGES, reportQuery, type UpdateResult } from '../contract';
