import { CONTROL_CHARACTERS } from '../lib/control-characters.ts';

/**
 * Data as a terminal may show it: each run of control characters becomes U+FFFD, so a value
 * cannot send an escape sequence (move the cursor, rewrite the screen, set the clipboard
 * through OSC 52), return to the start of a line, break a table row, or reorder what the
 * operator reads (bidirectional overrides). For one value: line breaks go too.
 */
export function terminalText(value: string): string {
  return value.replace(CONTROL_CHARACTERS, '\uFFFD');
}

/** Human output of several lines: every line made safe, the line breaks between them kept. */
export function terminalLines(text: string): string {
  return text.split('\n').map(terminalText).join('\n');
}

/**
 * JSON text with every control character in its strings written as a `\uXXXX` escape: the same
 * JSON value, but JSON.stringify leaves C1 controls, DEL, line separators and bidirectional
 * controls raw. The only raw line breaks in JSON text are its own layout, and stay.
 */
export function terminalJson(json: string): string {
  return json.replace(CONTROL_CHARACTERS, (run) => [...run].map((char) => (char === '\n' ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)).join(''));
}
