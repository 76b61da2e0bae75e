import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, statSync } from 'node:fs';
import { invalidInput, reasonOf } from '../lib/errors.ts';

/** Where notices go: an SMTP server, or a directory that receives one `.eml` file per notice. */
export type TransportSpec =
  | { kind: 'smtp'; secure: boolean; host: string; port: number; user?: string; password?: string }
  | { kind: 'file'; dir: string };

/**
 * The SMTP password given apart from the URL, where `ps` would show it: `source` names where it
 * came from (an environment variable, a file) for messages, `explicit` whether the user asked for
 * it on this command line rather than the environment holding it for any command.
 */
export type SmtpPassword = { value: string; source: string; explicit: boolean };

/**
 * The SMTP (or the reporting mailbox's IMAP) password in `file`, alone on one line (a trailing
 * newline is ignored); `exposedMode` is the file's mode when other users may read it, for a warning.
 */
export function readPasswordFile(file: string, source: string, explicit: boolean, service: 'SMTP' | 'IMAP' = 'SMTP'): { password: SmtpPassword; exposedMode: number | null } {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o777;
  } catch (error) {
    throw invalidInput(`${service}_PASSWORD_UNREADABLE`, `cannot read ${file} (${reasonOf(error)}); give ${source.split(' ')[0]} a file that holds the ${service} password`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (!value || /[\r\n]/.test(value)) throw invalidInput(`${service}_PASSWORD_INVALID`, `${file} must hold the ${service} password alone, on one line`);
  return { password: { value, source, explicit }, exposedMode: mode & 0o077 ? mode : null };
}

const TRANSPORT_HINT = "use smtp://[user:password@]host[:port], smtps://… or file:DIR";

/**
 * `smtp://` (STARTTLS when offered; port 587 by default), `smtps://` (TLS; 465), `file:DIR`; the
 * default is `file:<data dir>/outbox`. The SMTP password is in the URL or in `password`, not both.
 */
export function parseTransport(value: string | undefined, dataDir: string, password?: SmtpPassword): TransportSpec {
  if (value === undefined || value.startsWith('file:')) {
    if (password?.explicit) throw invalidInput('SMTP_PASSWORD_UNUSED', `${password.source} gives an SMTP password, but the transport writes files; give --transport smtp://user@host`);
  }
  if (value === undefined) return { kind: 'file', dir: join(dataDir, 'outbox') };
  if (value.startsWith('file:')) {
    const path = value.startsWith('file://') ? fileURLToPath(value) : value.slice('file:'.length);
    if (!path) throw invalidInput('BAD_TRANSPORT', `--transport '${value}' names no directory; ${TRANSPORT_HINT}`);
    return { kind: 'file', dir: resolve(path) };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput('BAD_TRANSPORT', `--transport '${redactedUrl(value)}' is not a URL; ${TRANSPORT_HINT}`);
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw invalidInput('BAD_TRANSPORT', `--transport '${redactedUrl(value)}' is not an SMTP URL; ${TRANSPORT_HINT}`);
  }
  const secure = url.protocol === 'smtps:';
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  if (password && url.password) {
    throw invalidInput('SMTP_PASSWORD_TWICE', `the SMTP password is both in --transport and in ${password.source}; keep only ${password.source}, which ps does not show`);
  }
  if (password && !user) throw invalidInput('SMTP_PASSWORD_WITHOUT_USER', `${password.source} gives an SMTP password, but --transport names no user; write smtp://user@host`);
  return {
    kind: 'smtp',
    secure,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    user,
    password: password?.value ?? (url.password ? decodeURIComponent(url.password) : undefined),
  };
}

/** The transport as the audit log and messages show it: never the password. */
export function describeTransport(spec: TransportSpec): string {
  if (spec.kind === 'file') return `file:${spec.dir}`;
  const user = spec.user ? `${encodeURIComponent(spec.user)}@` : '';
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  return `${spec.secure ? 'smtps' : 'smtp'}://${user}${host}:${spec.port}`;
}

function redactedUrl(value: string): string {
  return value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
