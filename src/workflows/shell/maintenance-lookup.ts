/**
 * The report's side of maintenance windows: a window's `maintenanceChanged` signal only asks the
 * report to look again; the look-up (an activity that queries the windows themselves) answers which
 * window holds it, and that answer goes into the core as the fact `maintenanceObserved`. One look-up
 * at a time; signals arriving meanwhile ask for one more after it. Reports that no window ever
 * signals run no look-up, so their commands are exactly as before.
 */
import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { MaintenanceActivities } from '../../activities/maintenance';
import { maintenanceChangedSignal } from '../../contract/maintenance';
import { scopeFactsOf } from '../../domain/maintenance-hold';
import type { ReportState } from './report-state';

const { maintenanceWindowFor } = proxyActivities<MaintenanceActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

export class MaintenanceLookup {
  private asked = false;
  private running = false;

  constructor(private readonly state: ReportState) {}

  /** Registers the signal (before the workflow's first await). */
  register(): void {
    setHandler(
      maintenanceChangedSignal,
      () => {
        this.asked = true;
        this.state.changed();
      },
      { description: 'From a maintenance window: look again which window holds this report (internal; carries nothing trusted).' },
    );
  }

  /** No look-up running or asked for: the run may continue as new. */
  get idle(): boolean {
    return !this.asked && !this.running;
  }

  /** Starts the look-up when asked and none runs; its answer is fed to the core when it comes. */
  lookIfAsked(): void {
    if (!this.asked || this.running || !this.state.opened) return;
    this.asked = false;
    this.running = true;
    const facts = scopeFactsOf(this.state.report);
    maintenanceWindowFor({ reportId: this.state.report.reportId, serviceId: facts.serviceId, resourceIds: facts.resourceIds })
      .then(({ windowId }) => this.state.feed({ name: 'maintenanceObserved', payload: windowId === undefined ? {} : { windowId } }))
      // A look-up that gave up changes nothing; the window tells again when it rescans or ends.
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        this.state.changed();
      });
  }
}
