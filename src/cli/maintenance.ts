/** `starter maintenance`: create, list, show, cancel or extend maintenance windows. */
import { SpdrInvalidInputError } from '../client';
import { MaintenanceClient } from '../client/maintenance';
import { parseWindowInput, type MaintenanceWindowInputJson, type WindowView } from '../domain/maintenance';
import { EXIT, UsageError, parseJson, positional, readSource, type Command } from './command';

/** `starter maintenance create|list|show|cancel|extend`: maintenance windows (src/client/maintenance.ts). */
export const maintenanceCommand: Command = {
  usage:
    'maintenance <create <file.json|->|list [--all]|show <windowId>|cancel <windowId> --by <who> --reason <why>|extend <windowId> --by <who> --end <iso>> [--json]',
  summary: 'create, list, show, cancel or extend maintenance windows',
  help: `Maintenance windows (workflow maintenanceWindow, id mw-<windowId>): while one is active, every open
report of a service in its scope (or whose root-cause resource is in it) is held, its clocks paused.

  starter maintenance create examples/maintenance-window.json
  starter maintenance list            (--all: ended and cancelled ones too)
  starter maintenance show CHG-778
  starter maintenance extend CHG-778 --by noc.anna --end 2026-12-02T04:00:00Z
  starter maintenance cancel CHG-778 --by noc.anna --reason "change rolled back"`,
  options: {
    json: { type: 'boolean' },
    all: { type: 'boolean' },
    by: { type: 'string' },
    reason: { type: 'string' },
    end: { type: 'string' },
  },
  prepare(args, values, io) {
    const [action, ...rest] = args;
    const print = (view: WindowView): void => io.out(values.json ? JSON.stringify(view, null, 2) : renderWindow(view));
    const required = (name: string): string => {
      const value = values[name];
      if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`maintenance ${action}: --${name} is required`);
      return value;
    };
    switch (action) {
      case 'create': {
        const [source] = positional(rest, 1, '<file.json|->');
        const input = parseJson(readSource(source!, 'window'), source === '-' ? 'stdin' : source!);
        const parsed = parseWindowInput(input);
        if (!parsed.ok) throw new SpdrInvalidInputError(parsed.reason);
        return async (spdr) => {
          const view = await new MaintenanceClient(spdr.client, spdr.taskQueue).create(input as MaintenanceWindowInputJson);
          if (values.json) print(view);
          else
            io.out(
              `created maintenance window ${view.windowId} (workflow mw-${view.windowId}) on task queue ${spdr.taskQueue}: ${renderWindow(view)}`,
            );
          return EXIT.ok;
        };
      }
      case 'list':
        positional(rest, 0, 'no argument');
        return async (spdr) => {
          const windows = await new MaintenanceClient(spdr.client, spdr.taskQueue).list({ all: values.all === true });
          if (values.json) io.out(JSON.stringify(windows, null, 2));
          else if (windows.length === 0)
            io.out(values.all ? 'no maintenance windows' : 'no running maintenance windows (--all: ended ones too)');
          else
            for (const w of windows)
              io.out(
                `${w.windowId}  ${w.state}  ${w.scope.join(',')}  created ${w.startTime}${w.status === 'RUNNING' ? '' : `  (${w.status.toLowerCase()})`}`,
              );
          return EXIT.ok;
        };
      case 'show': {
        const [windowId] = positional(rest, 1, '<windowId>');
        return async (spdr) => {
          print(await new MaintenanceClient(spdr.client, spdr.taskQueue).show(windowId!));
          return EXIT.ok;
        };
      }
      case 'cancel':
      case 'extend': {
        const [windowId] = positional(rest, 1, '<windowId>');
        const by = required('by');
        const payload = action === 'cancel' ? { by, reason: required('reason') } : { by, end: required('end') };
        return async (spdr) => {
          const windows = new MaintenanceClient(spdr.client, spdr.taskQueue);
          const view =
            action === 'cancel'
              ? await windows.cancel(windowId!, payload as { by: string; reason: string })
              : await windows.extend(windowId!, payload as { by: string; end: string });
          print(view);
          return EXIT.ok;
        };
      }
      default:
        throw new UsageError(
          `maintenance: expected create, list, show, cancel or extend, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`,
        );
    }
  },
};

function renderWindow(view: WindowView): string {
  const next = view.nextOccurrence ? ` · next ${view.nextOccurrence.start} to ${view.nextOccurrence.end}` : '';
  const now = view.currentOccurrence ? ` · active until ${view.currentOccurrence.end}` : '';
  return `${view.windowId} ${view.state}${now}${next} · ${view.heldReports} report(s) held · scope ${[...view.scope.serviceIds, ...view.scope.resourceIds].join(', ')}`;
}
