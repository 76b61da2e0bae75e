import { CONTROL_CHARACTERS } from './control-characters.ts';

/**
 * A value on one line: what goes into a mail header must not be able to start another
 * header (`Marie\r\nBcc: …`), and a customer's name has no business spanning lines anywhere.
 */
export function singleLine(value: string): string {
  return value.replace(CONTROL_CHARACTERS, ' ').trim();
}
