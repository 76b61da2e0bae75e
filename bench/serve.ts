/** `tocsin serve` (and `tocsin worker`) as child processes, for the benchmarks that measure the server as it runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tocsin = fileURLToPath(new URL('../bin/tocsin.js', import.meta.url));
/** The characters of a child's log kept, once it has said what was awaited: its last lines, for an error. */
const KEPT_LOG = 16_384;

/** `tocsin serve` on `dataDir` (SQLite there, unless `databaseUrl`), on free ports, with `flags`; resolves once it says where the console and the public listener are. */
export async function startServer(dataDir: string, options: { databaseUrl?: string; flags?: readonly string[] } = {}): Promise<{ url: string; publicUrl: string; child: ChildProcess }> {
  const { child, said } = startTocsin(['serve', '--listen', '127.0.0.1:0', '--public-listen', '127.0.0.1:0', ...(options.flags ?? [])], dataDir, options.databaseUrl);
  const [url, publicUrl] = await said((stderr) => {
    const console = /^console: (\S+)$/m.exec(stderr);
    const publicListener = /^public: (\S+)$/m.exec(stderr);
    return console && publicListener ? [console[1], publicListener[1]] : undefined;
  });
  return { url, publicUrl, child };
}

/** `tocsin worker` with `flags` on the PostgreSQL database at `databaseUrl`; resolves once it waits for jobs. */
export async function startWorker(dataDir: string, databaseUrl: string, flags: readonly string[]): Promise<ChildProcess> {
  const { child, said } = startTocsin(['worker', ...flags], dataDir, databaseUrl);
  await said((stderr) => (/^worker \S+ waiting for jobs/m.test(stderr) ? true : undefined));
  return child;
}

function startTocsin(args: readonly string[], dataDir: string, databaseUrl = '') {
  const child = spawn(process.execPath, [tocsin, ...args], { env: { ...process.env, TOCSIN_DATA_DIR: dataDir, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'ignore', 'pipe'] });
  /**
   * Resolves with what `found` finds in the child's stderr so far, once it finds anything; rejects
   * if the child exits first. Afterwards the log is read and let go, its last lines kept for an
   * error: a server under load logs on, and a pipe nobody empties would hold it up.
   */
  const said = <T>(found: (stderr: string) => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      let stderr = '';
      let done = false;
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(done ? -KEPT_LOG : 0);
        if (done) return;
        const result = found(stderr);
        if (result !== undefined) {
          done = true;
          resolve(result);
        }
      });
      child.on('exit', (code) => reject(new Error(`tocsin ${args[0]} exited ${code}: ${stderr}`)));
    });
  return { child, said };
}
