import { Command } from 'commander';
import * as accounts from '../accounts/index.ts';
import { startJobRunnerThread } from '../jobs/index.ts';
import { startListeners } from '../server/index.ts';
import { say } from './io.ts';
import { withContext } from './options.ts';

// Each flag sets the configuration key of its name (config.ts), over tocsin.yml and the environment.
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the server: the staff console and API on --listen (internal network), the customer portal and researchers on --public-listen (internet)')
    .option('--listen <host:port>', 'the staff listener: console, /api/, /metrics (listen, TOCSIN_LISTEN; default 127.0.0.1:8080)')
    .option('--public-listen <host:port>', 'the public listener: portal, report intake, researchers, security.txt (public_listen, TOCSIN_PUBLIC_LISTEN; default 127.0.0.1:8081)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate chain (PEM), with --tls-key (tls.cert_file, TOCSIN_TLS_CERT)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM) (tls.key_file, TOCSIN_TLS_KEY)')
    .option('--trust-proxy <cidr...>', 'reverse proxies in front (addresses or CIDRs) whose X-Forwarded-For and X-Forwarded-Proto are believed (trust_proxy, TOCSIN_TRUST_PROXY)')
    .option('--upload-limit <size>', 'the largest file the API takes as an upload, e.g. 2GiB (upload_limit, TOCSIN_UPLOAD_LIMIT; default 1GiB)')
    .option('--import-dir <dir...>', 'directories whose files API callers may import and scope by path; no .., no symbolic links out (import_dirs, TOCSIN_IMPORT_DIRS)')
    .action(async (_options, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const listeners = await startListeners(ctx, accounts);
        // SQLite: this process runs the jobs (in a thread); PostgreSQL: `tocsin worker` processes do, on any machine.
        // Should that thread die, the server stops too (exit 1), so that its supervisor restarts both.
        const runner =
          ctx.dialect === 'sqlite'
            ? await startJobRunnerThread(ctx.config, ctx.logger, () => {
                say('tocsin: the job runner stopped unexpectedly; the server stops (exit 1) so that it can be restarted');
                process.exitCode = 1;
                process.kill(process.pid, 'SIGTERM');
              })
            : null;
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
