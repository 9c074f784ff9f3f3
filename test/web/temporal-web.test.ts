/**
 * The operator's path through the real Temporal Web (the UI embedded in the Temporal CLI dev
 * server), driven by headless Debian Chromium through playwright-core:
 *   1. find a report with a search-attribute filter typed into the list's raw query box;
 *   2. open it and read its summary, current details and timer summary;
 *   3. send `addAnalysis` through "Send a Signal" (names and descriptions come from the worker)
 *      and see it in the `report` query and in the current details;
 *   4. send an invalid `setStatus` through "Send an Update" and read the rejection in the dialog.
 *
 * The file runs its own dev server with the UI on a free port, and a worker with in-memory outside
 * systems. Screenshots go to `$SPDR_WEB_ARTIFACTS` (default: a temp folder); with
 * `SPDR_UPDATE_DOCS=1` the README's screenshots in `docs/` are refreshed too. Any failing step
 * fails the test, leaves a screenshot of the page as it was, and names the step.
 * Needs the browser: `scripts/install-browser.sh` (or `CHROMIUM_PATH`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Report, StartInputJson } from '../../src/domain';
import { SpdrClient } from '../../src/client';
import { reportQuery } from '../../src/workflows/messages';
import { uniqueTaskQueue } from '../support/env';
import {
  ARTIFACTS,
  DOCS,
  UPDATE_DOCS,
  frameText,
  openAction,
  pickName,
  shot,
  startWebFixture,
  step,
  typeJson,
  type WebFixture,
} from '../support/browser';
import { fakeSystems } from '../support/fake-activities';
import { eventuallyDefined } from '../support/wait';
import { reportWorkflowId } from '../../src/contract';

/** What an operator types to find critical reports that are still on track. */
const LIST_QUERY = 'SpdrSeverity = "critical" AND SpdrJeopardy = "onTrack"';
const ANALYSIS = { author: 'noc.anna', summary: 'Packet loss on PE-7 uplink via UI' };
const INVALID_SET_STATUS = { by: 'noc.anna', status: 'closed', reason: 'x' };

const reportInput = (reportId: string, severity: 'critical' | 'minor'): StartInputJson => ({
  reportId,
  service: { id: 'svc-volte-fra1', name: 'VoLTE core Frankfurt 1' },
  severity,
  description: 'Call setup latency p95 above 3 s',
  detectedAt: new Date().toISOString(),
  degradedKpis: [{ name: 'callSetupLatencyP95', threshold: 3000, observed: 4200, unit: 'ms' }],
  jeopardyPolicy: { resolutionTarget: '4h' },
  openedBy: 'web-test',
});
// This file's dev server is its own (in memory), so the README's report ids are free to use.
const target = reportInput('R-1001', 'critical');
/** Same service, other severity: the filter must leave it out. */
const decoy = reportInput('R-1002', 'minor');
const targetId = reportWorkflowId(target.reportId);
const decoyId = reportWorkflowId(decoy.reportId);

let web: WebFixture;
let env: TestWorkflowEnvironment;
let context: BrowserContext;
let baseUrl: string;
let uiVersion: string;
let taskQueue: string;
let worker: Worker;

beforeAll(async () => {
  web = await startWebFixture();
  ({ env, context, baseUrl, uiVersion } = web);
  taskQueue = uniqueTaskQueue('web');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: web.bundle,
    activities: fakeSystems().activities,
  });
}, 90_000);

afterAll(async () => {
  await web?.close();
});

/** Opens the target and the decoy and waits until both are indexed and the target is acknowledged. */
async function openAndIndex(spdr: SpdrClient, report: () => Promise<Report>): Promise<void> {
  await spdr.open(target);
  await spdr.open(decoy);
  // Visibility is eventually consistent: wait until the server's index answers both ways, so
  // the UI's answer below is about the UI, and the decoy's absence is the filter's doing.
  await eventuallyDefined(
    async () => {
      const critical = await env.client.workflow.count(`WorkflowId = '${targetId}' AND ${LIST_QUERY}`);
      const minor = await env.client.workflow.count(`WorkflowId = '${decoyId}' AND SpdrSeverity = "minor"`);
      return critical.count === 1 && minor.count === 1 ? true : undefined;
    },
    'both reports in the visibility index',
    20_000,
    250,
  );
  await eventuallyDefined(
    async () => ((await report()).status === 'acknowledged' ? true : undefined),
    'the report to be opened by the worker',
    15_000,
    250,
  );
}

/** The operator filters the workflow list by the Spdr* attributes: the critical report stays, the minor one goes. */
async function filterTheList(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/namespaces/default/workflows`);
  // Unfiltered, both reports are listed...
  await page.getByRole('link', { name: targetId, exact: true }).waitFor();
  await page.getByRole('link', { name: decoyId, exact: true }).waitFor();
  // ...then the operator types the visibility query into the raw query box.
  await page.getByTestId('toggle-manual-query').click();
  const queryBox = page.getByTestId('workflow-manual-search-input');
  await queryBox.fill(LIST_QUERY);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('query') === LIST_QUERY);
  // The filter leaves the minor report out (it is indexed: see above)...
  await page.getByRole('link', { name: decoyId, exact: true }).waitFor({ state: 'detached' });
  // ...and keeps the critical one (retrying the search while visibility catches up).
  await eventuallyDefined(
    async () => {
      try {
        await page.getByRole('link', { name: targetId, exact: true }).waitFor({ timeout: 2_000 });
        return true;
      } catch {
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        return undefined;
      }
    },
    'the filtered list to show the critical report',
    20_000,
    250,
  );
  expect(await page.getByRole('link', { name: decoyId, exact: true }).count()).toBe(0);
  await shot(page, 'temporal-web-list.png', true);
}

/** The report page: the timer's summary, the start's summary and details, the current details. */
async function openTheReport(page: Page): Promise<void> {
  await page.getByRole('link', { name: targetId, exact: true }).click();
  await page.waitForURL((url) => url.pathname.includes(`/workflows/${targetId}/`));
  await page.getByRole('button', { name: 'More Actions' }).waitFor();
  // The one timer the report waits on carries its summary.
  await page
    .getByText(/next deadline \S+ \(jeopardy onTrack, level 0\)/)
    .first()
    .waitFor();
  // "User Metadata": the start's summary and details, and the workflow's current details
  // (markdown, each rendered by Temporal Web in its own frame).
  await page.getByTestId('user-metadata-tab').click();
  await expect
    .poll(() => frameText(page, 'user-metadata-summary'), { timeout: 10_000 })
    .toContain('critical · svc-volte-fra1 (VoLTE core Frankfurt 1) · Call setup latency p95 above 3 s');
  await expect.poll(() => frameText(page, 'user-metadata-details'), { timeout: 10_000 }).toContain('callSetupLatencyP95');
  await expect
    .poll(() => frameText(page, 'user-metadata-current-details'), { timeout: 10_000 })
    .toMatch(/acknowledged · critical · jeopardy onTrack \(escalation level 0\) · deadline /);
}

/** A signal sent from Temporal Web reaches the report and shows in its current details. */
async function sendAnalysisSignal(page: Page, report: () => Promise<Report>): Promise<void> {
  const dialog = await openAction(page, 'Send a Signal');
  await pickName(dialog, 'signal-select-button', 'addAnalysis', /Add first-in or ongoing analysis/);
  await typeJson(page, dialog, ANALYSIS);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await expect
    .poll(async () => (await report()).analysis.map((a) => ({ author: a.author, summary: a.summary })), { timeout: 10_000 })
    .toContainEqual(ANALYSIS);
  // Current details are read live from the worker; "Press the R for freshness" re-reads them.
  await eventuallyDefined(
    async () => {
      await page.keyboard.press('r');
      await expect
        .poll(() => frameText(page, 'user-metadata-current-details'), { timeout: 2_000 })
        .toContain(`Last analysis (${ANALYSIS.author}`);
      return true;
    },
    'the analysis in the current details',
    15_000,
    250,
  );
  expect(await frameText(page, 'user-metadata-current-details')).toContain(ANALYSIS.summary);
  await shot(page, 'temporal-web-report.png', true);
}

/** An update the validator refuses shows its reason in the dialog and changes nothing. */
async function sendInvalidUpdate(page: Page, report: () => Promise<Report>): Promise<void> {
  const before = await report();
  const dialog = await openAction(page, 'Send an Update');
  await pickName(dialog, 'update-select-button', 'setStatus', /Set status inProgress, pending or held/);
  await typeJson(page, dialog, INVALID_SET_STATUS);
  await dialog.getByRole('button', { name: 'Submit' }).click();
  const alert = dialog.getByRole('alert').filter({ hasText: 'setStatus.status' }).first();
  await alert.waitFor();
  const message = await alert.innerText();
  expect(message).toContain('setStatus.status:');
  expect(message).toMatch(/"inProgress"\|"pending"\|"held"/);
  await shot(page, 'temporal-web-update-rejected.png', true);
  await dialog.getByTestId('cancel-modal-button').click();
  await dialog.waitFor({ state: 'hidden' });
  // Refused by the validator: nothing changed, nothing recorded.
  const after = await report();
  expect(after.status).toBe(before.status);
  expect(after.history).toHaveLength(before.history.length);
  expect(after.rejectedInputs).toHaveLength(before.rejectedInputs.length);
}

describe(`Temporal Web (the dev server's UI)`, () => {
  it('finds a report by a search-attribute filter, shows it, signals it and shows an update rejection', async () => {
    console.info(`driving Temporal Web ${uiVersion} at ${baseUrl}; screenshots in ${ARTIFACTS}${UPDATE_DOCS ? ` and ${DOCS}` : ''}`);
    expect(uiVersion).toMatch(/^2\.\d+\.\d+/);
    const spdr = new SpdrClient(env.client, { taskQueue });
    const handle = env.client.workflow.getHandle(targetId);
    const report = (): Promise<Report> => handle.query(reportQuery);

    await worker.runUntil(async () => {
      const t0 = Date.now();
      await openAndIndex(spdr, report);

      console.info(`  open and index: ${Date.now() - t0} ms`);
      const page = await context.newPage();

      await step(page, 'filter the workflow list', () => filterTheList(page));

      await step(page, 'open the report', () => openTheReport(page));

      await step(page, 'send addAnalysis through "Send a Signal"', () => sendAnalysisSignal(page, report));

      await step(page, 'send an invalid setStatus through "Send an Update"', () => sendInvalidUpdate(page, report));

      await page.close();
    });
  }, 90_000);
});
