/**
 * The activities the workflow calls: one per effect of the domain core. Inputs are the effects
 * themselves (plain data); outputs are what the report needs to know back.
 */
import type { EffectOf } from '../domain';

/** The settings type is part of the contract; re-exported here for the worker and the workflow. */
export type { ReportSettings } from '../contract';
import type { ReportSettings } from '../contract';

export interface SpdrActivities {
  /** `about`: the report opening, so the answer names the maintenance window holding it then (src/activities/maintenance.ts). */
  reportSettings(about?: {
    reportId: string;
    serviceId: string;
    resourceIds: readonly string[];
  }): Promise<ReportSettings & { maintenanceWindowId?: string }>;
  createTroubleReport(effect: EffectOf<'createTroubleReport'>): Promise<{ ticketId: string; status: string }>;
  cancelTroubleReport(effect: EffectOf<'cancelTroubleReport'>): Promise<void>;
  createPartnerRequest(effect: EffectOf<'createPartnerRequest'>): Promise<{ requestId: string; status: string }>;
  cancelPartnerRequest(effect: EffectOf<'cancelPartnerRequest'>): Promise<void>;
  dispatchTask(effect: EffectOf<'dispatchTask'>): Promise<void>;
  notifyEscalation(effect: EffectOf<'notifyEscalation'>): Promise<void>;
  notifyAssignee(effect: EffectOf<'notifyAssignee'>): Promise<void>;
  informClose(effect: EffectOf<'informClose'>): Promise<void>;
}
