/**
 * Bench only (bench/stats-10k.ts): a `degradationReport` execution that completes at once with the
 * final report it was started with, so a real server holds 10,000 ended reports, their search
 * attributes and their results in a minute instead of running 10,000 report lifecycles first.
 * What `starter stats` reads (visibility, then each workflow's result) is the same either way.
 */
export async function degradationReport(finalReport: unknown): Promise<unknown> {
  return finalReport;
}
