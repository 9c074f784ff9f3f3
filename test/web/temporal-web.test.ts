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
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Report, StartInputJson } from '../../src/domain';
import { SpdrClient } from '../../src/client';
import { startDevServer } from '../../src/infra/temporal-servers';
import { reportQuery } from '../../src/workflows/messages';
import { uniqueTaskQueue, workflowBundle } from '../support/env';
import { fakeSystems } from '../support/fake-activities';
import { freePort } from '../support/net';
import { eventuallyDefined } from '../support/wait';
import { reportWorkflowId } from '../../src/contract';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
const VIEWPORT = { width: 1400, height: 900 };
const ARTIFACTS = resolve(process.env.SPDR_WEB_ARTIFACTS ?? join(tmpdir(), 'spdr-temporal-web'));
const DOCS = resolve(__dirname, '../../docs');
const UPDATE_DOCS = process.env.SPDR_UPDATE_DOCS === '1';

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

let env: TestWorkflowEnvironment;
let browser: Browser;
let context: BrowserContext;
let baseUrl: string;
let uiVersion: string;
let taskQueue: string;
let worker: Worker;

async function shot(page: Page, name: string, inDocs = false): Promise<void> {
  const file = join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  if (inDocs && UPDATE_DOCS) {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(file, join(DOCS, name));
  }
}

/** Runs one named step; on failure keeps a screenshot and says which step broke. */
async function step<T>(page: Page, name: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    const result = await body();
    console.info(`  ${name}: ${Date.now() - started} ms`);
    return result;
  } catch (err) {
    const file = join(ARTIFACTS, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await page.screenshot({ path: file }).catch(() => undefined);
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`Temporal Web step "${name}" failed (screenshot: ${file}): ${message}`, { cause: err });
  }
}

/** Fills Temporal Web's JSON editor (CodeMirror) and leaves it, so it reformats before Submit moves. */
async function typeJson(page: Page, dialog: Locator, payload: unknown): Promise<void> {
  const editor = dialog.getByRole('textbox', { name: 'Data' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(JSON.stringify(payload));
  await editor.blur();
}

/** Text of one of the frames in which Temporal Web renders user metadata markdown. */
async function frameText(page: Page, iframeId: string): Promise<string> {
  return page.frameLocator(`iframe#${iframeId}`).locator('body').innerText({ timeout: 2_000 });
}

/** Opens a dialog from the workflow page's "More Actions" menu. */
async function openAction(page: Page, menuItem: 'Send a Signal' | 'Send an Update'): Promise<Locator> {
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page.getByRole('menuitem', { name: menuItem }).click();
  const dialog = page.getByRole('dialog', { name: menuItem });
  await dialog.waitFor({ state: 'visible' });
  return dialog;
}

/** Picks a signal/update name in the dialog's dropdown; the option shows the handler's description. */
async function pickName(dialog: Locator, selectTestId: string, name: string, description: RegExp): Promise<void> {
  await dialog.getByTestId(selectTestId).click();
  const option = dialog.getByRole('option', { name: new RegExp(`^${name}\\b`) });
  await option.waitFor({ state: 'visible' });
  expect(await option.innerText()).toMatch(description);
  await option.click();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}: run scripts/install-browser.sh (or set CHROMIUM_PATH)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const uiPort = await freePort();
  baseUrl = `http://127.0.0.1:${uiPort}`;
  // Server, workflow bundle and browser start side by side.
  const [, bundle] = await Promise.all([
    (async () => {
      env = await startDevServer({ uiPort });
      uiVersion = await eventuallyDefined(
        async () => {
          const res = await fetch(`${baseUrl}/api/v1/settings`);
          return res.ok ? String(((await res.json()) as { Version?: unknown }).Version) : undefined;
        },
        'Temporal Web to answer',
        30_000,
        250,
      );
    })(),
    workflowBundle(),
    (async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
      context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC', locale: 'en-GB' });
      // Offline and deterministic: the UI's news feed and any other outside fetch are refused.
      await context.route('**/*', (route) => (route.request().url().startsWith(baseUrl) ? route.continue() : route.abort()));
      context.setDefaultTimeout(10_000);
      context.setDefaultNavigationTimeout(20_000);
    })(),
  ]);
  taskQueue = uniqueTaskQueue('web');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fakeSystems().activities,
  });
}, 90_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await env?.teardown();
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
