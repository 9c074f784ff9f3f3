/**
 * Alarm storms and planned work as an operator sees them in the real Temporal Web (headless Debian
 * Chromium): reports that share a correlation key are found by `SpdrParentReportId`, the parent's
 * current details list its children, a child names its parent; a maintenance window is found by
 * its workflow type, its details name the report it holds, and that report says which window holds
 * it. No user-metadata frame renders a table (tables ran their columns together there).
 *
 * The file runs its own dev server with the UI on a free port and the real worker (createWorker
 * with a client, so correlation and the maintenance look-ups are the product's own); no outside
 * call falls due within the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import type { Page } from 'playwright-core';
import type { Report, StartInputJson } from '../../src/domain';
import { SpdrClient } from '../../src/client';
import { MaintenanceClient } from '../../src/client/maintenance';
import { reportWorkflowId } from '../../src/contract';
import { windowWorkflowId } from '../../src/contract/maintenance';
import { createWorker } from '../../src/worker';
import { reportQuery } from '../../src/workflows/messages';
import { settingsWithoutOutsideCalls, uniqueTaskQueue } from '../support/env';
import {
  frameTables,
  frameText,
  openFromList,
  searchList,
  shot,
  startWebFixture,
  step,
  waitForListed,
  type MetadataFrame,
  type WebFixture,
} from '../support/browser';
import { eventuallyDefined } from '../support/wait';

const KEY = 'fibre-cut-FIB-9';
const [PARENT, CHILD_A, CHILD_B, HELD] = ['R-2001', 'R-2002', 'R-2003', 'R-3001'];
const WINDOW = 'CHG-778';
const FRAMES: MetadataFrame[] = ['user-metadata-summary', 'user-metadata-details', 'user-metadata-current-details'];

const input = (reportId: string, serviceId: string, extra: Partial<StartInputJson> = {}): StartInputJson => ({
  reportId,
  service: { id: serviceId },
  severity: 'major',
  description: 'Packet loss above 2 % on the Munich enterprise VPN',
  degradedKpis: [{ name: 'packetLoss', threshold: 0.5, observed: 2.4, unit: '%' }],
  openedBy: 'web-test',
  ...extra,
});

let web: WebFixture;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('web-storm');

beforeAll(async () => {
  web = await startWebFixture();
  const settings = settingsWithoutOutsideCalls(taskQueue);
  worker = await createWorker({ connection: web.env.nativeConnection, settings, workflowBundle: web.bundle, client: web.env.client });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await web?.close();
});

const report = (id: string): Promise<Report> => web.env.client.workflow.getHandle(reportWorkflowId(id)).query(reportQuery);

/** Polls the `report` query until `check` holds. */
async function reportWhere(id: string, check: (r: Report) => boolean, what: string): Promise<Report> {
  return eventuallyDefined(
    async () => {
      const r = await report(id).catch(() => undefined);
      return r && check(r) ? r : undefined;
    },
    what,
    30_000,
    250,
  );
}

/** Re-reads the current details ("R" in Temporal Web) until they contain `text`. */
async function currentDetailsContaining(page: Page, text: string): Promise<string> {
  return eventuallyDefined(
    async () => {
      await page.keyboard.press('r');
      const found = await frameText(page, 'user-metadata-current-details').catch(() => '');
      return found.includes(text) ? found : undefined;
    },
    `current details to contain "${text}"`,
    15_000,
    500,
  );
}

async function expectNoTables(page: Page): Promise<void> {
  for (const frame of FRAMES) expect({ frame, tables: await frameTables(page, frame) }).toEqual({ frame, tables: 0 });
}

describe('groups and maintenance windows in Temporal Web', () => {
  it('finds a group by SpdrParentReportId and shows parent and children in the details', async () => {
    const spdr = new SpdrClient(web.env.client, { taskQueue });
    await spdr.open(input(PARENT, 'svc-ent-vpn-muc', { correlationKey: KEY }));
    await reportWhere(PARENT, (r) => r.status === 'acknowledged', 'the first report to open');
    await spdr.open(input(CHILD_A, 'svc-ent-vpn-muc', { correlationKey: KEY }));
    await spdr.open(input(CHILD_B, 'svc-ent-vpn-nue', { correlationKey: KEY }));
    await reportWhere(PARENT, (r) => (r.children ?? []).length === 2, 'both later reports to join the first');
    const page = await web.context.newPage();

    await step(page, 'list the group by its parent', async () => {
      await searchList(page, web.baseUrl, `SpdrParentReportId = "${PARENT}"`);
      await waitForListed(page, reportWorkflowId(CHILD_A));
      await waitForListed(page, reportWorkflowId(CHILD_B));
      expect(await page.getByRole('link', { name: reportWorkflowId(PARENT), exact: true }).count()).toBe(0);
    });

    await step(page, 'a child names its parent', async () => {
      await openFromList(page, reportWorkflowId(CHILD_A));
      const details = await currentDetailsContaining(page, `Grouped under ${PARENT}`);
      expect(details).toContain('clocks paused, the parent escalates for the group');
      await expectNoTables(page);
    });

    await step(page, 'the parent lists its children', async () => {
      await searchList(page, web.baseUrl, `WorkflowId = "${reportWorkflowId(PARENT)}"`);
      await waitForListed(page, reportWorkflowId(PARENT));
      await openFromList(page, reportWorkflowId(PARENT));
      const details = await currentDetailsContaining(page, 'Children (2)');
      expect(details).toContain(CHILD_A);
      expect(details).toContain(CHILD_B);
      expect(await frameText(page, 'user-metadata-details')).toContain('packetLoss: observed 2.4 %, threshold 0.5 %');
      await expectNoTables(page);
      await shot(page, 'temporal-web-group.png', true);
    });
    await page.close();
  }, 120_000);

  it('finds a maintenance window by its type; the window names the report it holds, the report names the window', async () => {
    const windows = new MaintenanceClient(web.env.client, taskQueue);
    const now = Date.now();
    await windows.create({
      windowId: WINDOW,
      scope: { serviceIds: ['svc-iptv-ber2'], resourceIds: ['PE-7'] },
      start: new Date(now - 60_000).toISOString(),
      end: new Date(now + 3_600_000).toISOString(),
      changeRequest: WINDOW,
      createdBy: 'noc.anna',
    });
    await new SpdrClient(web.env.client, { taskQueue }).open(input(HELD, 'svc-iptv-ber2'));
    await reportWhere(HELD, (r) => r.status === 'held' && r.maintenanceWindowId === WINDOW, 'the report to be held by the window');
    const page = await web.context.newPage();

    await step(page, 'the window in the list and its details', async () => {
      await searchList(page, web.baseUrl, 'WorkflowType = "maintenanceWindow"');
      await waitForListed(page, windowWorkflowId(WINDOW));
      await openFromList(page, windowWorkflowId(WINDOW));
      const details = await currentDetailsContaining(page, `Reports held: 1 (${HELD})`);
      expect(details.trimStart()).toMatch(/^active · change CHG-778 · created by noc\.anna/);
      expect(details).toContain('Scope: services svc-iptv-ber2; resources PE-7');
      await expectNoTables(page);
      await shot(page, 'temporal-web-maintenance.png', true);
    });

    await step(page, 'the held report names its window', async () => {
      await searchList(page, web.baseUrl, `WorkflowId = "${reportWorkflowId(HELD)}"`);
      await waitForListed(page, reportWorkflowId(HELD));
      await openFromList(page, reportWorkflowId(HELD));
      const details = await currentDetailsContaining(page, `Held by maintenance window ${WINDOW}`);
      expect(details.trimStart()).toMatch(/^held · major/);
      await expectNoTables(page);
    });
    await page.close();
  }, 120_000);
});
