import type { DeliveryResult } from './transport.ts';

/** The fields Nodemailer sets on its errors. */
export interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

/** Commands whose 5xx is about this recipient or this message, not about the sender as a whole. */
const RECIPIENT_COMMANDS = new Set(['RCPT TO', 'DATA']);
/** Errors of configuration: no retry helps, and bouncing the recipient would be wrong. */
const FATAL_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EOAUTH2']);

/** What a failed hand-over means for the notice: retry later, bounce, or stop the campaign. */
export function classifySmtpError(error: SmtpError): DeliveryResult {
  const reply = describeSmtpError(error);
  if (error.code && FATAL_CODES.has(error.code)) return { kind: 'fatal', reply };
  const status = error.responseCode ?? 0;
  if (status >= 500) return RECIPIENT_COMMANDS.has(error.command ?? '') ? { kind: 'permanent', reply } : { kind: 'fatal', reply };
  return { kind: 'transient', reply, deferredByServer: status >= 400 };
}

/** The server's own words when it answered; otherwise what happened to the connection. */
function describeSmtpError(error: SmtpError): string {
  const response = error.response?.replace(/\s+/g, ' ').trim();
  if (response && error.responseCode) return response;
  const where = [error.code, error.command && error.command !== 'CONN' ? `at ${error.command}` : ''].filter(Boolean).join(' ');
  return `${error.message ?? 'failed'}${where ? ` (${where})` : ''}`;
}

/**
 * A reply's codes alone, `451 4.7.1` or `421`: what can be shown of a reply without its text,
 * which may echo the recipient's address. Null when it does not begin with a reply code.
 */
export function replyCodes(reply: string): string | null {
  const match = /^([2-5]\d\d)(?=[ -]|$)(?:[ -]([2-5]\.\d{1,3}\.\d{1,3})(?![\d.]))?/.exec(reply);
  if (!match) return null;
  return match[2] ? `${match[1]} ${match[2]}` : match[1];
}
