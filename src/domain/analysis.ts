/**
 * `addAnalysis`: an analysis joins the report; a resource or partner root cause opens the outside
 * work it calls for (a trouble report, or a partner request for a partner-owned resource).
 */
import { log, withoutUndefined, type Draft, type HandlerResult } from './draft';
import { requestPartner, requestTroubleReport } from './outside-work';
import type { MessagePayload } from './schemas';
import { truncate } from './text';

export function addAnalysis(d: Draft, p: MessagePayload<'addAnalysis'>): HandlerResult {
  const cause = p.rootCause;
  if (d.r.status === 'cleared' && cause && cause.domain !== 'service') {
    return 'report is cleared: reopen it with rejectClearance before naming a resource or partner cause';
  }
  d.r.analysis.push(withoutUndefined({ author: p.author, at: p.at ?? d.at, summary: p.summary, rootCause: cause }));
  const notes: string[] = [];
  const entry = log(d, { by: p.author, action: 'analysisAdded', detail: truncate(p.summary, 200) });
  if (cause?.domain === 'resource' && cause.resourceId !== undefined) {
    const owner = d.r.partnerOwnedResources[cause.resourceId];
    if (owner !== undefined) requestPartner(d, p.author, owner, cause.resourceId, notes);
    else requestTroubleReport(d, p.author, cause.resourceId, cause.description, notes);
  } else if (cause?.domain === 'partner' && cause.partyId !== undefined && cause.resourceId !== undefined) {
    requestPartner(d, p.author, cause.partyId, cause.resourceId, notes);
  }
  // The entry was created by this command, so completing it is not a change to recorded history.
  if (notes.length > 0) entry.detail = `${entry.detail} (${notes.join('; ')})`;
}
