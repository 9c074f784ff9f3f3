/**
 * The one redaction of credentials in text the product writes down: logs, failure messages and
 * details that enter a report's history, escalation notifications and HTTP error texts. Pure
 * (no `URL`, no Node built-ins), so the workflow, the activities, the callback listener and the
 * configuration summary all use the same rules.
 *
 * Masked: user-info in a URL (`https://user:pass@host`), every query value of a URL, path
 * segments that carry a token (after `/hub/`, `/token/`, `/key/`, `/secret/`, `/hooks/`,
 * `/services/`, ..., and any long random-looking segment), `name=value` pairs whose name says
 * credential (`token`, `access_token`, `api_key`, `password`, `signature`, ...), and
 * `Bearer` / `Basic` credentials. The result is on one line, free of control characters, and at
 * most `max` characters long.
 */

export const MASK = '***';

/** The path segment after one of these holds a credential (hub subscriptions, key paths). */
const SECRET_PATH_MARKERS = /^(hub|hubs|token|tokens|key|keys|apikey|api-key|secret|secrets|sig|signature)$/i;
/** Every segment after one of these is a credential (Slack-style `/services/T0/B0/xyz` webhooks). */
const SECRET_TAIL_MARKERS = /^(hooks|webhook|webhooks|services)$/i;

/** `name=value` or `name: value` where the name says credential. */
const SECRET_PAIR =
  /\b((?:access[_-]?|refresh[_-]?|id[_-]?|auth[_-]?|subscription[_-]?|hub[_-]?)?token|api[_-]?key|apikey|password|passwd|pwd|secret|client[_-]?secret|signature)(["']?\s*[=:]\s*["']?)([^\s&"',;}]+)/gi;

const AUTH_SCHEME = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/g;

/** A URL in free text: scheme, authority, then anything up to a blank or a quote. */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)([^\s?#"'<>]*)(\?[^\s#"'<>]*)?(#[^\s"'<>]*)?/gi;

/** A segment that looks like a generated credential: a long run of letters and digits mixed. */
function randomLooking(segment: string): boolean {
  const longestRun = Math.max(0, ...segment.split(/[-_.~]/).map((run) => run.length));
  return longestRun >= 20 && /[A-Za-z]/.test(segment) && /\d/.test(segment);
}

/** The path with every credential-carrying segment masked (`/listener/hub/<token>/x` -> `/listener/hub/***\/x`). */
export function redactPath(path: string): string {
  const segments = path.split('/');
  let tail = false;
  return segments
    .map((segment, i) => {
      if (segment === '') return segment;
      const afterMarker = i > 0 && SECRET_PATH_MARKERS.test(segments[i - 1]) && !SECRET_PATH_MARKERS.test(segment);
      const masked = tail || afterMarker || randomLooking(segment);
      if (SECRET_TAIL_MARKERS.test(segment)) tail = true;
      return masked ? MASK : segment;
    })
    .join('/');
}

function redactUrlMatch(_m: string, scheme: string, authority: string, path: string, query?: string): string {
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : `${MASK}@${authority.slice(at + 1)}`;
  return `${scheme}${host}${redactPath(path)}${query && query.length > 1 ? `?${MASK}` : ''}`;
}

/**
 * The text with credentials masked, control characters removed, on one line and cut to `max`
 * characters. `known` are secret values to mask wherever they appear (a call's own token).
 */
export function redactSecrets(text: string, max = 2000, known: readonly string[] = []): string {
  let out = known.filter((secret) => secret.length >= 4).reduce((acc, secret) => acc.split(secret).join(MASK), text);
  out = out
    .replace(URL_IN_TEXT, redactUrlMatch)
    .replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${MASK}`)
    .replace(SECRET_PAIR, (_m, name: string, sep: string) => `${name}${sep}${MASK}`)
    // Bare relative paths such as `/listener/hub/<token>/...` in a log line.
    .replace(/(^|[\s(])(\/[^\s"'<>]+)/g, (_m, lead: string, path: string) => `${lead}${redactPath(path)}`)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length <= max ? out : `${out.slice(0, Math.max(0, max - 3))}...`;
}

/** A URL safe for logs and failure details (unparseable text is not echoed). */
export function redactUrl(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s]*$/i.test(url.trim())) return '[unparseable URL]';
  return redactSecrets(url.trim(), 2000);
}
