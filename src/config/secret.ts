/**
 * A secret value (token, auth header) that refuses to be printed.
 *
 * The value lives in a private field, so `JSON.stringify`, `console.log`, template strings and
 * Temporal's payload converter all see `[redacted]`; only `reveal()` hands it out, at the one
 * place that sets a request header.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Secret([redacted])';
  }
}

/**
 * A URL safe for logs: credentials in the user-info part and query values are masked,
 * because webhook providers commonly put tokens there.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[unparseable URL]';
  }
  const userInfo = parsed.username || parsed.password ? '***@' : '';
  const path = parsed.pathname === '/' ? '' : parsed.pathname;
  return `${parsed.protocol}//${userInfo}${parsed.host}${path}${parsed.search ? '?***' : ''}`;
}
