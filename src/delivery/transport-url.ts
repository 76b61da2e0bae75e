import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from '../lib/errors.ts';

/** Where notices go: an SMTP server, or a directory that receives one `.eml` file per notice. */
export type TransportSpec =
  | { kind: 'smtp'; secure: boolean; host: string; port: number; user?: string; password?: string }
  | { kind: 'file'; dir: string };

const TRANSPORT_HINT = "use smtp://[user:password@]host[:port], smtps://… or file:DIR";

/** `smtp://` (STARTTLS when offered; port 587 by default), `smtps://` (TLS; 465), `file:DIR`; the default is `file:<data dir>/outbox`. */
export function parseTransport(value: string | undefined, dataDir: string): TransportSpec {
  if (value === undefined) return { kind: 'file', dir: join(dataDir, 'outbox') };
  if (value.startsWith('file:')) {
    const path = value.startsWith('file://') ? fileURLToPath(value) : value.slice('file:'.length);
    if (!path) throw usageError('BAD_TRANSPORT', `--transport '${value}' names no directory; ${TRANSPORT_HINT}`);
    return { kind: 'file', dir: resolve(path) };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError('BAD_TRANSPORT', `--transport '${redactedUrl(value)}' is not a URL; ${TRANSPORT_HINT}`);
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw usageError('BAD_TRANSPORT', `--transport '${redactedUrl(value)}' is not an SMTP URL; ${TRANSPORT_HINT}`);
  }
  const secure = url.protocol === 'smtps:';
  return {
    kind: 'smtp',
    secure,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
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
