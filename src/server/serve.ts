import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { invalidInput, reasonOf, TocsinError } from '../lib/errors.ts';
import type { Context } from '../context.ts';
import { buildPublicApp, buildStaffApp, type ServerOptions } from './app.ts';
import type { StaffAccounts } from './auth.ts';
import { listenAddressOf, urlOf, type ListenAddress } from './listen-address.ts';
import { createMetrics } from './metrics.ts';

export interface Listeners {
  /** Where the console and the staff API answer. */
  staffUrl: string;
  /** Where the customer portal and researchers' side answer. */
  publicUrl: string;
  /** Stops taking connections, lets requests in flight finish, then closes both listeners. */
  close(): Promise<void>;
}

/**
 * Builds both apps and listens on both addresses, all from the context's configuration (listen,
 * public_listen, tls, trust_proxy, import_dirs, upload_limit); if either cannot listen, neither stays open.
 */
export async function startListeners(ctx: Context, accounts: StaffAccounts): Promise<Listeners> {
  const { config } = ctx;
  const tls = tlsFiles(config.tls);
  const options: ServerOptions = { ctx, accounts, tls, metrics: createMetrics(ctx) };
  // The public side first: it checks the shop's logo and colours, so a bad one leaves nothing built.
  const publicApp = await buildPublicApp(options);
  const staff = await buildStaffApp(options);
  const scheme = tls ? 'https' : 'http';
  try {
    const staffUrl = await listen(staff, listenAddressOf(config.listen), 'listen', scheme);
    const publicUrl = await listen(publicApp, listenAddressOf(config.public_listen), 'public_listen', scheme);
    return { staffUrl, publicUrl, close: async () => void (await Promise.all([staff.close(), publicApp.close()])) };
  } catch (error) {
    await Promise.all([staff.close(), publicApp.close()]);
    throw error;
  }
}

/** The certificate and key, read and checked before anything listens: files that do not load, or do not belong together, are the user's to fix. */
function tlsFiles(files: Context['config']['tls']): ServerOptions['tls'] {
  if (files.cert_file === undefined && files.key_file === undefined) return undefined;
  if (files.cert_file === undefined || files.key_file === undefined) {
    throw invalidInput('TLS_OPTIONS', 'tls.cert_file and tls.key_file (--tls-cert, --tls-key) go together: give both, or neither to serve HTTP behind a proxy that does TLS');
  }
  const read = (file: string, key: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw invalidInput('TLS_UNREADABLE', `cannot read ${key} ${file} (${reasonOf(error)})`);
    }
  };
  const tls = { cert: read(files.cert_file, 'tls.cert_file'), key: read(files.key_file, 'tls.key_file') };
  try {
    createSecureContext(tls);
  } catch (error) {
    throw invalidInput('TLS_INVALID', `the TLS certificate and key cannot be used (${reasonOf(error)}); give the PEM chain as tls.cert_file (--tls-cert) and its private key as tls.key_file (--tls-key)`);
  }
  return tls;
}

async function listen(app: FastifyInstance, address: ListenAddress, key: string, scheme: 'http' | 'https'): Promise<string> {
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (error) {
    throw new TocsinError('LISTEN_FAILED', `cannot listen on ${address.host}:${address.port} (${reasonOf(error)}); choose another address as ${key}`, { kind: 'unavailable' });
  }
  const bound = app.server.address() as AddressInfo;
  return urlOf(scheme, { host: address.host, port: bound.port });
}
