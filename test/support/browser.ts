/**
 * What the browser tests share: a dev server with Temporal Web on a free port, headless Debian
 * Chromium (playwright-core) that reaches nothing but that server, named steps that leave a
 * screenshot when they fail, and the few UI gestures an operator makes (open a dialog from "More
 * Actions", pick a signal or update, type JSON, read a user-metadata frame).
 *
 * Screenshots go to `$SPDR_WEB_ARTIFACTS` (default: a temp folder); with `SPDR_UPDATE_DOCS=1` the
 * ones marked for the README are copied into `docs/` too.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startDevServer } from '../../src/infra/temporal-servers';
import { workflowBundle } from './env';
import { freePort } from './net';
import { eventuallyDefined } from './wait';

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
export const ARTIFACTS = resolve(process.env.SPDR_WEB_ARTIFACTS ?? join(tmpdir(), 'spdr-temporal-web'));
export const DOCS = resolve(__dirname, '../../docs');
export const UPDATE_DOCS = process.env.SPDR_UPDATE_DOCS === '1';

/** A dev server with its UI, the workflow bundle and a browser context that only reaches the UI. */
export interface WebFixture {
  env: TestWorkflowEnvironment;
  browser: Browser;
  context: BrowserContext;
  baseUrl: string;
  uiVersion: string;
  bundle: WorkflowBundleWithSourceMap;
  close(): Promise<void>;
}

/** Starts server, bundle and browser side by side; `close` stops them. */
export async function startWebFixture(): Promise<WebFixture> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}: run scripts/install-browser.sh (or set CHROMIUM_PATH)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const uiPort = await freePort();
  const baseUrl = `http://127.0.0.1:${uiPort}`;
  const [server, bundle, browserAndContext] = await Promise.all([
    (async () => {
      const env = await startDevServer({ uiPort });
      const uiVersion = await eventuallyDefined(
        async () => {
          const res = await fetch(`${baseUrl}/api/v1/settings`);
          return res.ok ? String(((await res.json()) as { Version?: unknown }).Version) : undefined;
        },
        'Temporal Web to answer',
        30_000,
        250,
      );
      return { env, uiVersion };
    })(),
    workflowBundle(),
    (async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ viewport: VIEWPORT, timezoneId: 'UTC', locale: 'en-GB' });
      // Offline and deterministic: the UI's news feed and any other outside fetch are refused.
      await context.route('**/*', (route) => (route.request().url().startsWith(baseUrl) ? route.continue() : route.abort()));
      context.setDefaultTimeout(10_000);
      context.setDefaultNavigationTimeout(20_000);
      return { browser, context };
    })(),
  ]);
  const { browser, context } = browserAndContext;
  return {
    ...server,
    ...browserAndContext,
    baseUrl,
    bundle,
    async close() {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.env.teardown();
    },
  };
}

/** Saves a screenshot into the artifacts (and into `docs/` with `SPDR_UPDATE_DOCS=1` when `inDocs`). */
export async function shot(page: Page, name: string, inDocs = false): Promise<void> {
  const file = join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  if (inDocs && UPDATE_DOCS) {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(file, join(DOCS, name));
  }
}

/** Runs one named step; on failure keeps a screenshot and says which step broke. */
export async function step<T>(page: Page, name: string, body: () => Promise<T>): Promise<T> {
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
export async function typeJson(page: Page, dialog: Locator, payload: unknown): Promise<void> {
  const editor = dialog.getByRole('textbox', { name: 'Data' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(JSON.stringify(payload));
  await editor.blur();
}

/** The frames in which Temporal Web renders user metadata markdown. */
export type MetadataFrame = 'user-metadata-summary' | 'user-metadata-details' | 'user-metadata-current-details';

/** Text of one of the user-metadata frames. */
export async function frameText(page: Page, iframeId: MetadataFrame): Promise<string> {
  return page.frameLocator(`iframe#${iframeId}`).locator('body').innerText({ timeout: 2_000 });
}

/** How many HTML tables one user-metadata frame renders (the details use lists: a table there runs its columns together). */
export async function frameTables(page: Page, iframeId: MetadataFrame): Promise<number> {
  return page.frameLocator(`iframe#${iframeId}`).locator('table').count();
}

/** Opens a dialog from the workflow page's "More Actions" menu. */
export async function openAction(page: Page, menuItem: 'Send a Signal' | 'Send an Update'): Promise<Locator> {
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page.getByRole('menuitem', { name: menuItem }).click();
  const dialog = page.getByRole('dialog', { name: menuItem });
  await dialog.waitFor({ state: 'visible' });
  return dialog;
}

/** Picks a signal/update name in the dialog's dropdown; the option shows the handler's description. */
export async function pickName(dialog: Locator, selectTestId: string, name: string, description: RegExp): Promise<void> {
  await dialog.getByTestId(selectTestId).click();
  const option = dialog.getByRole('option', { name: new RegExp(`^${name}\\b`) });
  await option.waitFor({ state: 'visible' });
  expect(await option.innerText()).toMatch(description);
  await option.click();
}

/** Types a visibility query into the workflow list's raw query box and runs it. */
export async function searchList(page: Page, baseUrl: string, query: string): Promise<void> {
  await page.goto(`${baseUrl}/namespaces/default/workflows`);
  await page.getByTestId('toggle-manual-query').click();
  await page.getByTestId('workflow-manual-search-input').fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get('query') === query);
}

/** Waits for a workflow's link in the list, pressing Search again while visibility catches up. */
export async function waitForListed(page: Page, workflowId: string, timeoutMs = 20_000): Promise<void> {
  await eventuallyDefined(
    async () => {
      try {
        await page.getByRole('link', { name: workflowId, exact: true }).waitFor({ timeout: 2_000 });
        return true;
      } catch {
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        return undefined;
      }
    },
    `the list to show ${workflowId}`,
    timeoutMs,
    250,
  );
}

/** Opens a workflow's page from its link in the list and shows its user metadata. */
export async function openFromList(page: Page, workflowId: string): Promise<void> {
  await page.getByRole('link', { name: workflowId, exact: true }).click();
  await page.waitForURL((url) => url.pathname.includes(`/workflows/${workflowId}/`));
  await page.getByRole('button', { name: 'More Actions' }).waitFor();
  await page.getByTestId('user-metadata-tab').click();
}
