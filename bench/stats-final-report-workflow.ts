/**
 * Bench only (bench/stats-10k.ts): a `degradationReport` execution that completes at once with the
 * final report it was started with, so a real server holds 10,000 ended reports, their search
 * attributes, memos and results in minutes instead of running 10,000 report lifecycles first.
 * Like the real workflow at completion, it keeps the report's stats facts (the same pure
 * `statsFacts`) in its memo, which is what `starter stats` reads from the list pages.
 */
import { upsertMemo } from '@temporalio/workflow';
import { statsFacts, type Report } from '../src/domain';
import { STATS_FACTS_MEMO_KEY } from '../src/contract/workflow';

export async function degradationReport(finalReport: Report): Promise<Report> {
  upsertMemo({ [STATS_FACTS_MEMO_KEY]: statsFacts(finalReport) });
  return finalReport;
}
