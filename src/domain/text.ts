/**
 * Text helpers shared by the core, the Temporal Web texts and the client's renderings: cutting a
 * text to a length, folding it onto one line, and escaping it for a markdown table cell.
 */

/** The text cut to at most `max` characters, with an ellipsis when something was cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The text on one line: every run of blanks (newlines included) becomes one space, ends trimmed. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * A value safe inside a markdown table cell or bullet: on one line and `|` escaped. With `max`
 * (Temporal Web's current details) it is cut to that many characters instead of trimmed.
 */
export function markdownCell(value: unknown, max?: number): string {
  if (value === undefined) return '';
  const text = String(value).replace(/\|/g, '\\|').replace(/\s+/g, ' ');
  return max === undefined ? text.trim() : text.slice(0, max);
}
