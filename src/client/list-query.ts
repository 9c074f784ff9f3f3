/**
 * The visibility query behind `list`: the same `Spdr*` search attributes operators filter on in
 * Temporal Web. Pure, so the escaping rules are unit-tested without a server.
 *
 * Values are never escaped, they are validated: enums must be one of their values and ids/assignees
 * must use a charset without quotes, backslashes or control characters, so a filter value can never
 * end its string literal and smuggle query syntax in.
 */
import { z } from 'zod';
import { Identifier, JeopardyState, ReportStatus, Severity, formatIssues, isFinal } from '../domain';
import { WORKFLOW_TYPE } from '../contract';
import { SpdrInvalidInputError } from './errors';

/** Workflow type of a report (operator contract); the client's name for the contract's `WORKFLOW_TYPE`. */
export const REPORT_WORKFLOW_TYPE = WORKFLOW_TYPE;

/** Assignees are free text in the report; a filter accepts letters, digits, space and `. _ : @ / + -`. */
const AssigneeFilter = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\p{L}\p{N} ._:@/+-]+$/u, 'use only letters, digits, spaces and . _ : @ / + -');

/** Which reports `list` returns; every field narrows the list (AND). */
export interface ReportFilter {
  status?: ReportStatus | readonly ReportStatus[];
  severity?: Severity | readonly Severity[];
  /** One jeopardy state or several: `['inJeopardy', 'breached']` lists every report not on track. */
  jeopardy?: JeopardyState | readonly JeopardyState[];
  serviceId?: string;
  assignee?: string;
  /** Only reports whose workflow is running. Default: true, unless every status asked for is final (closed, cancelled). */
  openOnly?: boolean;
}

const FIELDS = {
  status: ReportStatus,
  severity: Severity,
  jeopardy: JeopardyState,
  serviceId: Identifier,
  assignee: AssigneeFilter,
} as const;
type Field = keyof typeof FIELDS;

/** Each value of a field, validated one by one so the error names the field, not an index: `filter.severity: Invalid option ...`. */
function valuesOf(filter: ReportFilter, field: Field): string[] | undefined {
  const raw: unknown = filter[field];
  if (raw === undefined) return undefined;
  const values: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0 || values.length > 20) throw new SpdrInvalidInputError(`filter.${field}: expected 1 to 20 values`);
  return values.map((value) => {
    const parsed = FIELDS[field].safeParse(value);
    if (!parsed.success) throw new SpdrInvalidInputError(`${formatIssues(`filter.${field}`, parsed.error)} (got ${JSON.stringify(value)})`);
    return parsed.data;
  });
}

/** A validated value as a query string literal; the charset check above makes quoting safe. */
function literal(value: string): string {
  if (/['"\\`\p{Cc}]/u.test(value))
    throw new SpdrInvalidInputError(`filter value ${JSON.stringify(value)} contains a quote, backslash or control character`);
  return `'${value}'`;
}

function equalsAny(attribute: string, values: readonly string[] | undefined): string | undefined {
  if (!values) return undefined;
  const unique = [...new Set(values)];
  return unique.length === 1 ? `${attribute} = ${literal(unique[0]!)}` : `${attribute} IN (${unique.map(literal).join(', ')})`;
}

/**
 * The Temporal visibility query for a filter, e.g.
 * `WorkflowType = 'degradationReport' AND ExecutionStatus = 'Running' AND SpdrSeverity = 'critical' AND SpdrJeopardy IN ('inJeopardy', 'breached')`.
 * Throws `SpdrInvalidInputError` naming the field (`filter.severity: ...`) for a value outside its enum or charset.
 */
export function buildListQuery(filter: ReportFilter = {}): string {
  const unknown = Object.keys(filter).filter((key) => !(key in FIELDS) && key !== 'openOnly');
  if (unknown.length > 0)
    throw new SpdrInvalidInputError(
      `filter: unknown field(s) ${unknown.join(', ')}; expected ${[...Object.keys(FIELDS), 'openOnly'].join(', ')}`,
    );
  if (filter.openOnly !== undefined && typeof filter.openOnly !== 'boolean')
    throw new SpdrInvalidInputError('filter.openOnly: expected true or false');
  const statuses = valuesOf(filter, 'status') as ReportStatus[] | undefined;
  const openOnly = filter.openOnly ?? !(statuses && statuses.every(isFinal));
  const clauses = [
    `WorkflowType = ${literal(REPORT_WORKFLOW_TYPE)}`,
    openOnly ? `ExecutionStatus = 'Running'` : undefined,
    equalsAny('SpdrStatus', statuses),
    equalsAny('SpdrSeverity', valuesOf(filter, 'severity')),
    equalsAny('SpdrJeopardy', valuesOf(filter, 'jeopardy')),
    equalsAny('SpdrServiceId', valuesOf(filter, 'serviceId')),
    // SpdrAssignee is a keyword list: `=` matches a report whose list contains the value.
    equalsAny('SpdrAssignee', valuesOf(filter, 'assignee')),
  ];
  return clauses.filter((c): c is string => c !== undefined).join(' AND ');
}
