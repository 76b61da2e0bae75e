import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { delimiter } from 'node:path';
import { Command, Option } from 'commander';
import * as accounts from '../accounts/index.ts';
import { reasonOf, usageError } from '../lib/errors.ts';
import { startJobRunner } from '../jobs/index.ts';
import { DEFAULT_UPLOAD_LIMIT } from '../server/app.ts';
import { importDirectories } from '../server/import-files.ts';
import { parseListenAddress } from '../server/listen-address.ts';
import { startListeners } from '../server/serve.ts';
import { say } from './io.ts';
import { wholeNumber, withContext } from './options.ts';

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the server: the staff console and API on --listen (internal network), the customer portal and researchers on --public-listen (internet)')
    .addOption(new Option('--listen <host:port>', 'the staff listener: console, /api/, /metrics').env('TOCSIN_LISTEN').default('127.0.0.1:8080'))
    .addOption(new Option('--public-listen <host:port>', 'the public listener: portal, report intake, researchers, security.txt').env('TOCSIN_PUBLIC_LISTEN').default('127.0.0.1:8081'))
    .option('--tls-cert <file>', 'serve HTTPS with this certificate chain (PEM), with --tls-key')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--trust-proxy <cidr...>', 'reverse proxies in front (addresses or CIDRs) whose X-Forwarded-For and X-Forwarded-Proto are believed')
    .option('--upload-limit <bytes>', 'the largest file the API takes as an upload', wholeNumber('--upload-limit'), DEFAULT_UPLOAD_LIMIT)
    .addOption(new Option('--import-dir <dir...>', 'directories whose files API callers may import and scope by path (no .., no symbolic links out)').env('TOCSIN_IMPORT_DIRS'))
    .action(async (options, cmd: Command) => {
      const staff = parseListenAddress(options.listen, '--listen');
      const publicAddress = parseListenAddress(options.publicListen, '--public-listen');
      const tls = tlsFiles(options.tlsCert, options.tlsKey);
      const trustProxy = ((options.trustProxy as string[] | undefined) ?? []).map(checkedProxy);
      // From the environment, one colon-separated list, as PATH.
      const importDirs = importDirectories([options.importDir ?? []].flat().flatMap((dir: string) => dir.split(delimiter)).filter(Boolean));
      await withContext(cmd, async (ctx) => {
        const listeners = await startListeners({ ctx, accounts, staff, public: publicAddress, tls, trustProxy, importDirs, uploadLimit: options.uploadLimit });
        // SQLite: this process runs the jobs; PostgreSQL: `tocsin worker` processes do, on any machine.
        const runner = ctx.dialect === 'sqlite' ? startJobRunner(ctx) : null;
        say(`console: ${listeners.staffUrl}`);
        say(`public: ${listeners.publicUrl}`);
        // SIGTERM (systemd, docker stop) and Ctrl-C: stop taking requests and jobs, finish those in flight, exit 0.
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
        });
        // Running jobs stop at their next step and go back to the queue; then the listeners close.
        await runner?.stop();
        await listeners.close();
      });
    });
}

function tlsFiles(cert: string | undefined, key: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw usageError('TLS_OPTIONS', '--tls-cert and --tls-key go together: give both, or neither to serve HTTP behind a proxy that does TLS');
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw usageError('TLS_UNREADABLE', `cannot read ${flag} ${file} (${reasonOf(error)})`);
    }
  };
  return { cert: read(cert, '--tls-cert'), key: read(key, '--tls-key') };
}

/** An address or CIDR, v4 or v6: what Fastify's trustProxy takes. */
function checkedProxy(value: string): string {
  const [address, bits, ...rest] = value.split('/');
  const version = isIP(address);
  const maxBits = version === 4 ? 32 : 128;
  if (version === 0 || rest.length > 0 || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))) {
    throw usageError('BAD_TRUST_PROXY', `--trust-proxy '${value}' is not an address or CIDR; write e.g. 10.0.0.0/8, 127.0.0.1 or fd00::/8`);
  }
  return value;
}
