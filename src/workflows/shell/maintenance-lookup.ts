/**
 * The report's side of maintenance windows: a window's `maintenanceChanged` signal only asks the
 * report to look again; the look-up (an activity that queries the windows themselves) answers which
 * window holds it, and that answer goes into the core as the fact `maintenanceObserved`. One look-up
 * at a time; signals arriving meanwhile ask for one more after it. A report whose root-cause
 * resources change asks too, at once (a window's rescan would come up to a minute later). Reports
 * that no window signals and whose root cause never changes run no look-up, so their commands are
 * exactly as before.
 */
import { patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { MaintenanceActivities } from '../../activities/maintenance';
import { maintenanceChangedSignal } from '../../contract/maintenance';
import { scopeFactsOf } from '../../domain/maintenance-hold';
import type { ReportState } from './report-state';

const { maintenanceWindowFor } = proxyActivities<MaintenanceActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

/**
 * Patch marker: a report looks the windows up when its root-cause resources change. Consulted only
 * then, so reports whose root cause never changes issue no new command, and histories recorded
 * before it (root cause changed, no look-up) replay without one.
 */
const ROOT_CAUSE_LOOKUP_PATCH = 'spdr-maintenance-root-cause';

export class MaintenanceLookup {
  private asked = false;
  private running = false;
  /** The root-cause resources as last seen (undefined until the run's first look). */
  private resources?: string;

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
    if (this.state.opened) this.askIfRootCauseMoved();
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

  /** A root cause naming other resources may put the report into (or out of) a window's scope: ask now. */
  private askIfRootCauseMoved(): void {
    const resources = scopeFactsOf(this.state.report).resourceIds.join(' ');
    const before = this.resources;
    this.resources = resources;
    if (before === undefined || before === resources) return;
    if (patched(ROOT_CAUSE_LOOKUP_PATCH)) this.asked = true;
  }
}
