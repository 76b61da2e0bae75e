import { singleLine } from '../lib/single-line.ts';

/** Longer than this, a "name" is text someone put in the field, not a name to greet. */
const LONGEST_NAME = 100;

/**
 * What mail clients turn into a link: a scheme (`https://`), an email address, `www.`, or a host
 * name (`ev.il`, `pay.example.com`; full-width and ideographic dots too).
 */
const LINKABLE = /:\/\/|@|www[.\uff0e\u3002\uff61]|[\p{L}\p{N}-][.\uff0e\u3002\uff61]\p{L}{2,}(?![\p{L}\p{N}])/iu;

/**
 * The customer's name as the greeting uses it, or '' for the template's neutral greeting. A
 * notice carries no links, and mail clients link whatever looks like one: a "name" such as
 * `Pay at ev.il now` would put the attacker's link into the shop's signed notice.
 */
export function salutationName(name: string): string {
  const line = singleLine(name);
  return [...line].length > LONGEST_NAME || LINKABLE.test(line) ? '' : line;
}
