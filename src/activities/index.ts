/**
 * Activity implementations: thin adapters from the workflow to the outside systems.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { EscalationNotice, SpdrActivities } from './types';

export interface ActivityDeps {
  escalationUrl?: string;
  log?: (line: string) => void;
}

export function createActivities(deps: ActivityDeps): SpdrActivities {
  return {
    async notifyEscalation(notice: EscalationNotice): Promise<void> {
      if (!deps.escalationUrl) {
        deps.log?.(`escalation level ${notice.level} for ${notice.reportId} (no SPDR_ESCALATION_URL configured)`);
        return;
      }
      const res = await fetch(deps.escalationUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `spdr-${notice.reportId}-esc-${notice.level}-${notice.reason}` },
        body: JSON.stringify(notice),
      });
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        throw ApplicationFailure.create({ message: `escalation webhook: notify refused (${res.status})`, nonRetryable: true });
      }
      if (!res.ok) throw new Error(`escalation webhook: notify failed (${res.status})`);
    },
  };
}
