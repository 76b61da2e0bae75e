/**
 * Characters that are never data in a line of text: C0 and C1 controls and DEL (CR, LF and ESC
 * among them: header breaks, terminal escape sequences), the Unicode line and paragraph
 * separators, and the bidirectional marks, embeddings, overrides and isolates that make text
 * read other than it is. One list for mail addresses, mail headers, notices and the terminal.
 */
const CONTROL_CLASS = '[\\p{Cc}\\u2028\\u2029\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]';

/** Whether `text` holds any control character. */
export const CONTROL_CHARACTER = new RegExp(CONTROL_CLASS, 'u');

/** Every run of control characters, for replacing them all. */
export const CONTROL_CHARACTERS = new RegExp(`${CONTROL_CLASS}+`, 'gu');
