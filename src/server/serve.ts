import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { reasonOf, TocsinError, usageError } from '../lib/errors.ts';
import { buildPublicApp, buildStaffApp, type ServerOptions } from './app.ts';
import { urlOf, type ListenAddress } from './listen-address.ts';

export interface Listeners {
  /** Where the console and the staff API answer. */
  staffUrl: string;
  /** Where the customer portal and researchers' side answer. */
  publicUrl: string;
  /** Stops taking connections, lets requests in flight finish, then closes both listeners. */
  close(): Promise<void>;
}

/** Builds both apps and listens on both addresses; if either cannot listen, neither stays open. */
export async function startListeners(options: ServerOptions & { staff: ListenAddress; public: ListenAddress }): Promise<Listeners> {
  if (options.tls) checkTls(options.tls);
  const staff = await buildStaffApp(options);
  const publicApp = await buildPublicApp(options);
  const scheme = options.tls ? 'https' : 'http';
  try {
    const staffUrl = await listen(staff, options.staff, '--listen', scheme);
    const publicUrl = await listen(publicApp, options.public, '--public-listen', scheme);
    return { staffUrl, publicUrl, close: async () => void (await Promise.all([staff.close(), publicApp.close()])) };
  } catch (error) {
    await Promise.all([staff.close(), publicApp.close()]);
    throw error;
  }
}

/** A certificate and key that do not load, or do not belong together, are the user's to fix: said before anything listens. */
function checkTls(tls: NonNullable<ServerOptions['tls']>): void {
  try {
    createSecureContext(tls);
  } catch (error) {
    throw usageError('TLS_INVALID', `the TLS certificate and key cannot be used (${reasonOf(error)}); give the PEM chain to --tls-cert and its private key to --tls-key`);
  }
}

async function listen(app: FastifyInstance, address: ListenAddress, flag: string, scheme: 'http' | 'https'): Promise<string> {
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (error) {
    throw new TocsinError('LISTEN_FAILED', `cannot listen on ${address.host}:${address.port} (${reasonOf(error)}); choose another address with ${flag}`);
  }
  const bound = app.server.address() as AddressInfo;
  return urlOf(scheme, { host: address.host, port: bound.port });
}
