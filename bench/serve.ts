/** `tocsin serve` (and `tocsin worker`) as child processes, for the benchmarks that measure the server as it runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tocsin = fileURLToPath(new URL('../bin/tocsin.js', import.meta.url));

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
  /** Resolves with what `found` finds in the child's stderr so far, once it finds anything; rejects if the child exits first. */
  const said = <T>(found: (stderr: string) => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const result = found(stderr);
        if (result !== undefined) resolve(result);
      });
      child.on('exit', (code) => reject(new Error(`tocsin ${args[0]} exited ${code}: ${stderr}`)));
    });
  return { child, said };
}
