/** `tocsin serve` as a child process, for the benchmarks that measure the server as it runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const tocsin = fileURLToPath(new URL('../bin/tocsin.ts', import.meta.url));

/** `tocsin serve` on `dataDir` (SQLite there, unless `databaseUrl`), on free ports, with `flags`; resolves once it says where the console and the public listener are. */
export async function startServer(dataDir: string, options: { databaseUrl?: string; flags?: readonly string[] } = {}): Promise<{ url: string; publicUrl: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [tocsin, 'serve', '--listen', '127.0.0.1:0', '--public-listen', '127.0.0.1:0', ...(options.flags ?? [])], {
    env: { ...process.env, TOCSIN_DATA_DIR: dataDir, DATABASE_URL: options.databaseUrl ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const [url, publicUrl] = await new Promise<[string, string]>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const console = /^console: (\S+)$/m.exec(stderr);
      const publicListener = /^public: (\S+)$/m.exec(stderr);
      if (console && publicListener) resolve([console[1], publicListener[1]]);
    });
    child.on('exit', (code) => reject(new Error(`tocsin serve exited ${code}: ${stderr}`)));
  });
  return { url, publicUrl, child };
}
