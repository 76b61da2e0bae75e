/**
 * A suspect from detection added to a scope file's indicators, as a responder would type it:
 * the file's own text kept (its comments, its order, its quoting), the client's address, account
 * and distinctive user agent appended to their lists when not there yet, and the window from…until
 * widened to the span the client was seen in.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document } from 'yaml';
import { invalidInput } from '../lib/errors.ts';
import { isoSecond } from './detect.ts';
import { checkScopeFile, type ScopeFileProblem } from './scope-file.ts';

/** What of a suspect goes into the indicators; a null part is not added. */
export interface SuspectIndicators {
  ip: string | null;
  /** Only a user agent detection calls distinctive: a browser's would name every customer. */
  userAgent: string | null;
  account: string | null;
  /** Epoch milliseconds: when the client was first and last seen. */
  firstSeen: number;
  lastSeen: number;
}

/** `text` with the suspect in its indicators; a file with problems is refused with them, as it could not be edited safely. */
export function addSuspectToIndicators(text: string, suspect: SuspectIndicators): string {
  const checked = checkScopeFile(text);
  if (!checked.scope) throw invalidInput('SCOPE_FILE_INVALID', `fix the scope file first: ${describe(checked.problems)}`);
  if (suspect.ip === null && suspect.userAgent === null && suspect.account === null) {
    throw invalidInput('SUSPECT_EMPTY', 'the suspect has no address, user agent or account to add to the indicators');
  }
  if (suspect.firstSeen > suspect.lastSeen) throw invalidInput('SUSPECT_SPAN_INVALID', 'first_seen is after last_seen');
  const doc = parseDocument(text, { schema: 'failsafe' });
  if (!isMap(doc.get('indicators'))) doc.set('indicators', doc.createNode({}));
  appendOnce(doc, 'ips', suspect.ip);
  appendOnce(doc, 'user_agents', suspect.userAgent);
  appendOnce(doc, 'accounts', suspect.account);
  const window = checked.scope.indicators;
  // from and until bound when the attacker acted: a client seen outside them widens them, never narrows.
  if (window === null || window.from === null || suspect.firstSeen < window.from) doc.setIn(['indicators', 'from'], isoSecond(suspect.firstSeen));
  if (window === null || window.until === null || suspect.lastSeen > window.until) doc.setIn(['indicators', 'until'], isoSecond(suspect.lastSeen));
  const edited = doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
  const recheck = checkScopeFile(edited);
  if (!recheck.scope) throw invalidInput('SUSPECT_INVALID', `the suspect does not fit in the indicators: ${describe(recheck.problems)}`);
  return edited;
}

function appendOnce(doc: Document, list: 'ips' | 'user_agents' | 'accounts', value: string | null): void {
  if (value === null) return;
  // Quoted, as detection writes them: an address or user agent is never read as anything but text.
  const quoted = new Scalar(value);
  quoted.type = 'QUOTE_DOUBLE';
  const node = doc.getIn(['indicators', list]);
  if (!isSeq(node)) {
    doc.setIn(['indicators', list], doc.createNode([quoted], { flow: true }));
    return;
  }
  if (node.items.some((item) => isScalar(item) && item.value === value)) return;
  node.add(quoted);
}

const describe = (problems: readonly ScopeFileProblem[]) => problems.map(({ line, message }) => `line ${line}: ${message}`).join('; ');
