/** `starter signal` and `starter update`: one message to a report, validated before it is sent. */
import { validateMessage, validateReportId } from '../client';
import type { MessagePayloadJson } from '../domain';
import { EXIT, MESSAGE_HELP, positional, readPayload, type Command } from './command';

export function sendCommand(mode: 'signal' | 'update'): Command {
  return {
    usage: `${mode} <reportId> <name> <json|@file>${mode === 'update' ? ' [--json]' : ''}`,
    summary: mode === 'signal' ? 'send a message as a signal (fire-and-forget)' : 'send a message as an update (waits; refusals come back)',
    help:
      mode === 'signal'
        ? `Sends a message as a signal. The payload is validated first; a payload the report refuses later
(e.g. an illegal transition) is recorded in its rejectedInputs. Use "update" to get the refusal back.

  starter signal R-1001 addAnalysis @examples/messages/addAnalysis-resource-cause.json
  starter signal R-1001 clear '{"by":"noc.anna","resolution":"Uplink replaced"}'

${MESSAGE_HELP}`
        : `Sends a message as an update and prints the report after it (--json: the whole report).
A refusal by the report (illegal transition, unknown task, ...) exits 5 with its reason and changes nothing.

  starter update R-1001 assign @examples/messages/assign.json
  starter update R-1001 setStatus '{"by":"noc.anna","status":"pending","reason":"waiting on customer"}'

${MESSAGE_HELP}`,
    options: mode === 'update' ? { json: { type: 'boolean' } } : {},
    prepare(args, values, io) {
      const [reportId, name, raw] = positional(args, 3, '<reportId> <name> <json|@file>');
      validateReportId(reportId!);
      const payload = readPayload(raw!);
      validateMessage(name!, payload);
      const typed = payload as MessagePayloadJson<typeof name>;
      return async (spdr) => {
        if (mode === 'signal') {
          await spdr.signal(reportId!, name, typed);
          io.out(`sent ${name} to ${reportId} as a signal`);
          return EXIT.ok;
        }
        const report = await spdr.update(reportId!, name, typed);
        if (values.json) io.out(JSON.stringify(report, null, 2));
        else
          io.out(
            `${name} accepted by ${reportId}: status ${report.status} · jeopardy ${report.jeopardy.state} (level ${report.jeopardy.escalationLevel}) · deadline ${report.jeopardy.deadline}`,
          );
        return EXIT.ok;
      };
    },
  };
}
