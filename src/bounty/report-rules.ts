import { BOUNTY_SEVERITIES, type BountyConfig } from '../config.ts';
import { CONTROL_CHARACTER } from '../lib/control-characters.ts';
import { invalidInput } from '../lib/errors.ts';
import type { CvssSeverity } from './cvss.ts';

/** A report's states, as HackerOne names them: open ones (new, triaged, needs_more_info), then the ways it is closed. */
export const REPORT_STATES = ['new', 'triaged', 'needs_more_info', 'resolved', 'duplicate', 'informative', 'not_applicable', 'spam'] as const;
export type ReportState = (typeof REPORT_STATES)[number];
/** The ways a report is closed without being resolved. */
export const CLOSING_STATES = ['duplicate', 'informative', 'not_applicable', 'spam'] as const satisfies readonly ReportState[];

/** What a triager may move a report to: any other state but `new`, which only a submission is; a duplicate names its original, another report. */
export function checkTransition(reference: string, from: ReportState, to: ReportState, duplicateOf: string | undefined): void {
  if (to === 'new') throw invalidInput('BAD_TRANSITION', 'a report is new only until it is first triaged; choose triaged, needs_more_info or a closing state');
  if (to === from) throw invalidInput('BAD_TRANSITION', `the report is ${from} already`);
  if (to === 'duplicate' && duplicateOf === undefined) throw invalidInput('DUPLICATE_OF_MISSING', 'a report closed as a duplicate names the original: give duplicate_of (its reference)');
  if (to !== 'duplicate' && duplicateOf !== undefined) throw invalidInput('DUPLICATE_OF_UNEXPECTED', 'duplicate_of goes only with the state duplicate');
  if (duplicateOf === reference) throw invalidInput('DUPLICATE_OF_ITSELF', 'a report cannot duplicate itself; name the original report');
}

export function parseState(value: string): ReportState {
  if (!(REPORT_STATES as readonly string[]).includes(value)) throw invalidInput('BAD_STATE', `'${value.replace(CONTROL_CHARACTER, '?').slice(0, 40)}' is not a report state; use one of ${REPORT_STATES.join(', ')}`);
  return value as ReportState;
}

/** The reward the policy's table suggests: the asset's tier by the severity; null when the asset left the scope, 0 for severity none. */
export function suggestedReward(bounty: BountyConfig, asset: string, severity: CvssSeverity): { amount: number; currency: string; tier: string } | null {
  const tier = bounty.assets.find((candidate) => candidate.name === asset)?.tier;
  if (tier === undefined) return null;
  const amount = (BOUNTY_SEVERITIES as readonly string[]).includes(severity) ? bounty.rewards[tier][severity as (typeof BOUNTY_SEVERITIES)[number]] : 0;
  return { amount, currency: bounty.rewards.currency, tier };
}

/** The largest attachment and how many a report takes. */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 5;

/** What attachments may be, told by their first bytes: screenshots, documents, videos of a proof, archives and plain text. */
export function attachmentType(bytes: Uint8Array): string | null {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'application/zip';
  if (bytes.length > 11 && bytes[4] === 0x66 && bytes[5] === 0x74 && bytes[6] === 0x79 && bytes[7] === 0x70) return 'video/mp4';
  if (isPlainText(bytes)) return 'text/plain';
  return null;
}

/** UTF-8 without NUL or other controls than tab and line ends: a log, a request, a script as text. */
function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/** An attachment's name as kept: its last path segment, without control characters, at most 200 characters; `attachment` when nothing is left. */
export function attachmentName(given: string): string {
  const name = given.split(/[\\/]/).pop()!.replace(new RegExp(CONTROL_CHARACTER.source, 'gu'), '').trim().slice(0, 200);
  return name === '' || name === '.' || name === '..' ? 'attachment' : name;
}
