import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';

/** A zone as dnsmasq takes it on its command line: TXT records (one string each, no commas) and A records. */
export interface Zone {
  txt?: Record<string, string>;
  a?: Record<string, string>;
}

export interface DnsServer {
  /** HOST:PORT, as phishing.dns_servers takes it. */
  address: string;
  close(): Promise<void>;
}

const DNSMASQ = '/usr/sbin/dnsmasq';
const TRIES = 10;

/**
 * Debian's dnsmasq answering `zone` on 127.0.0.1 at a high port, unprivileged, in the
 * foreground: no upstream, no /etc/hosts, every other name NXDOMAIN (`--local=/#/`). A port
 * another process holds is tried again with another.
 */
export async function startDnsmasq(zone: Zone): Promise<DnsServer> {
  const records = [
    ...Object.entries(zone.txt ?? {}).map(([name, value]) => {
      if (value.includes(',')) throw new Error(`dnsmasq splits TXT strings on commas: ${name}`);
      return `--txt-record=${name},${value}`;
    }),
    ...Object.entries(zone.a ?? {}).map(([name, address]) => `--address=/${name}/${address}`),
  ];
  let lastError = '';
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const args = ['--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--pid-file=', '--local=/#/', ...records];
    // As root, dnsmasq would switch to `nobody`; it stays the user it runs as.
    if (process.getuid?.() === 0) args.push('--user=root');
    const child = spawn(DNSMASQ, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const started = await new Promise<string | null>((resolve) => {
      let output = '';
      child.stderr!.on('data', (chunk) => {
        output += String(chunk);
        if (output.includes('cache')) resolve(null);
      });
      child.once('exit', () => resolve(output));
      child.once('error', (error) => resolve(String(error)));
    });
    if (started === null && (await answers(port))) return { address: `127.0.0.1:${port}`, close: () => stop(child) };
    lastError = started ?? 'no answer';
    await stop(child);
  }
  throw new Error(`dnsmasq did not start: ${lastError}`);
}

async function answers(port: number): Promise<boolean> {
  const resolver = new Resolver({ timeout: 2_000, tries: 3 });
  resolver.setServers([`127.0.0.1:${port}`]);
  try {
    await resolver.resolveTxt('nothing.invalid');
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'ENOTFOUND';
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
