/**
 * How the report workflows are bundled, in one place for the worker, the tests, the benchmark and
 * replay: the same bundle options everywhere, so what is measured and replayed is what runs.
 */
import { resolve } from 'node:path';
import { PAYLOAD_CONVERTER_PATH } from '../security/data-converter';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WORKFLOWS_PATH = resolve(__dirname, '..', 'workflows', 'index.ts');

/**
 * Modules evaluated once per worker thread and shared by every workflow (the SDK's
 * `preloadModules`; it needs reuseV8Context, the SDK default). Only modules without per-workflow
 * state belong here. Our warm-up module imports zod (which brings zod into the shared set) and
 * settles zod's lazy globals before the SDK freezes them; it also brings in the shared-schema cache
 * (src/domain/shared-schema.ts), so the domain's schemas are built once per worker thread, not once
 * per report. Listing 'zod' itself would do nothing:
 * zod declares no side effects, so webpack drops an import whose result is unused.
 */
export const PRELOAD_MODULES: readonly string[] = [resolve(__dirname, '..', 'workflows', 'preload.ts')];

export type WorkflowBundleOptions = Omit<BundleOptions, 'workflowsPath'> & { workflowsPath?: string };

/** Builds the workflow bundle with the product's options (preloaded modules and the payload converter included). */
export function bundleReportWorkflows(options: WorkflowBundleOptions = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    ...options,
    workflowsPath: options.workflowsPath ?? WORKFLOWS_PATH,
    payloadConverterPath: options.payloadConverterPath ?? PAYLOAD_CONVERTER_PATH,
    preloadModules: [...PRELOAD_MODULES, ...(options.preloadModules ?? [])],
  });
}
