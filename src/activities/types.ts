/** The activity interface the workflow proxies; implementations live beside this file. */
export interface EscalationNotice {
  reportId: string;
  level: number;
  reason: string;
  jeopardyState: string;
  deadline: string;
  detail?: string;
}

export interface SpdrActivities {
  notifyEscalation(notice: EscalationNotice): Promise<void>;
}
