import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { reasonOf, TocsinError } from '../lib/errors.ts';
import type { Context } from '../context.ts';
import { readThroughMemoryMap, startWalCheckpoints } from '../db/index.ts';
import { buildPublicApp, buildStaffApp, type ServerOptions } from './app.ts';
import type { StaffAccounts } from './auth.ts';
import { listenAddressOf, urlOf, type ListenAddress } from './listen-address.ts';
import { startSmtpIntake } from './smtp-intake.ts';
import { createMetrics } from './metrics.ts';
import { forkServingProcesses, type ServingCommand } from './processes.ts';
import { tlsFiles } from './tls-files.ts';

export interface Listeners {
  /** Where the console and the staff API answer. */
  staffUrl: string;
  /** Where the customer portal and researchers' side answer. */
  publicUrl: string;
  /** Where the reporting mailbox takes mail (smtp://HOST:PORT), when phishing.smtp.listen is set. */
  mailboxUrl: string | null;
  /** Stops taking connections, lets requests in flight finish, then closes the listeners. */
  close(): Promise<void>;
}

/**
 * Listens on both addresses, all from the context's configuration (listen, public_listen, tls,
 * trust_proxy, import_dirs, upload_limit): in this process, or in config.processes serving
 * processes of `serving` (forkServingProcesses); and the reporting mailbox on
 * phishing.smtp.listen when it is set. If one cannot listen, none stays open.
 */
export async function startListeners(ctx: Context, accounts: StaffAccounts, serving?: { command: ServingCommand; say: (message: string) => void; failed: () => void }): Promise<Listeners> {
  const forking = ctx.config.processes > 1 && serving !== undefined;
  // The serving processes leave SQLite's checkpoints to this one (leaveCheckpointsElsewhere), which answers no request.
  const stopCheckpoints =
    forking && ctx.dialect === 'sqlite' ? await startWalCheckpoints(ctx.dataDir, (reason) => ctx.logger.warn({ reason }, 'could not checkpoint the database')) : async () => {};
  let http: Omit<Listeners, 'mailboxUrl'>;
  try {
    http = forking ? await forkServingProcesses(serving.command, ctx.config, serving.say, serving.failed) : await startHttpListeners(ctx, accounts);
  } catch (error) {
    await stopCheckpoints();
    throw error;
  }
  const mailbox = await startSmtpIntake(ctx).catch(async (error: unknown) => {
    await Promise.all([http.close(), stopCheckpoints()]);
    throw error;
  });
  const close = async () => {
    await Promise.all([http.close(), mailbox?.close()]);
    await stopCheckpoints();
  };
  return { ...http, mailboxUrl: mailbox?.url ?? null, close };
}

/** Builds both apps and listens on both addresses in this process; if one cannot listen, neither stays open. */
export async function startHttpListeners(ctx: Context, accounts: StaffAccounts): Promise<Omit<Listeners, 'mailboxUrl'>> {
  const { config } = ctx;
  const tls = tlsFiles(config.tls, 'tls', ' (--tls-cert, --tls-key)');
  await readThroughMemoryMap(ctx.db, ctx.dialect);
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

async function listen(app: FastifyInstance, address: ListenAddress, key: string, scheme: 'http' | 'https'): Promise<string> {
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (error) {
    throw new TocsinError('LISTEN_FAILED', `cannot listen on ${address.host}:${address.port} (${reasonOf(error)}); choose another address as ${key}`, { kind: 'unavailable' });
  }
  const bound = app.server.address() as AddressInfo;
  return urlOf(scheme, { host: address.host, port: bound.port });
}
