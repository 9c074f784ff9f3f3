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

/** URLs in logs: the product's one redaction (credentials, query values, token path segments). */
export { redactUrl, redactSecrets } from '../contract/redact';
