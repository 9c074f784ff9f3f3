/** The benchmark's workflow bundle: the product's workflows and the baseline, side by side in one worker. */
export * from '../src/workflows';
export { baseline, escalationBaseline } from './baseline-workflow';
export { armingBaseline } from './bare-workflow';
