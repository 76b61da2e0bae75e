import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { makeTestCertificate } from './tls.ts';

export interface ImapServer {
  host: string;
  /** The IMAPS port (TLS from the first byte). */
  port: number;
  /** The server's certificate (PEM file), to trust as phishing.imap.ca_file. */
  caFile: string;
  user: string;
  password: string;
  close(): Promise<void>;
}

const DOVECOT = '/usr/sbin/dovecot';
const TRIES = 10;

/** The user Dovecot runs as: this one, or `nobody` when the tests run as root (Dovecot's login processes refuse root). */
function runAs(): { name: string; group: string; uid: number; gid: number } {
  const me = userInfo();
  if (me.uid !== 0) {
    const group = readFileSync('/etc/group', 'utf8').split('\n').find((line) => line.split(':')[2] === String(me.gid))?.split(':')[0] ?? me.username;
    return { name: me.username, group, uid: me.uid, gid: me.gid };
  }
  const [, , uid, gid] = readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith('nobody:'))!.split(':');
  const group = readFileSync('/etc/group', 'utf8').split('\n').find((line) => line.split(':')[2] === gid)?.split(':')[0] ?? 'nogroup';
  return { name: 'nobody', group, uid: Number(uid), gid: Number(gid) };
}

function config(dir: string, port: number, user: ReturnType<typeof runAs>): string {
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
auth_mechanisms = plain login
default_internal_user = ${user.name}
default_internal_group = ${user.group}
default_login_user = ${user.name}
first_valid_uid = ${Math.min(user.uid, 1)}
first_valid_gid = 0
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = static
  args = uid=${user.uid} gid=${user.gid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = ${port}
    ssl = yes
  }
  chroot =
}
service anvil {
  chroot =
}
`;
}

/**
 * Debian's Dovecot serving IMAPS on 127.0.0.1 at a high port, unprivileged (as this user, or
 * `nobody` under root), in the foreground, with its configuration, a test certificate, one user
 * and the mail in a temporary directory. A port another process holds is tried again with another.
 */
export async function startDovecot(): Promise<ImapServer> {
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-dovecot-'));
  const { certFile, keyFile } = makeTestCertificate(dir);
  // The CA file the client trusts stays readable after the directory is handed to Dovecot's user.
  const caFile = join(mkdtempSync(join(tmpdir(), 'tocsin-dovecot-ca-')), 'ca.pem');
  copyFileSync(certFile, caFile);
  const password = 'report-box-password';
  writeFileSync(join(dir, 'users'), `reporter:{PLAIN}${password}::::::\n`);
  for (const path of [dir, certFile, keyFile, join(dir, 'users')]) chownSync(path, user.uid, user.gid);
  let lastError = '';
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    writeFileSync(join(dir, 'dovecot.conf'), config(dir, port, user));
    chownSync(join(dir, 'dovecot.conf'), user.uid, user.gid);
    const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'], uid: user.uid, gid: user.gid });
    let output = '';
    child.stderr!.on('data', (chunk) => (output += String(chunk)));
    if (await greets(port, caFile, child)) {
      return {
        host: '127.0.0.1',
        port,
        caFile,
        user: 'reporter',
        password,
        close: async () => {
          await stop(child);
          rmSync(dir, { recursive: true, force: true });
          rmSync(join(caFile, '..'), { recursive: true, force: true });
        },
      };
    }
    lastError = output || readLog(dir);
    await stop(child);
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`dovecot did not start: ${lastError}`);
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8');
  } catch {
    return 'no log';
  }
}

/** Whether the server greets over TLS within a while (Dovecot starts its login processes on demand). */
async function greets(port: number, caFile: string, child: ChildProcess): Promise<boolean> {
  const ca = readFileSync(caFile);
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca });
      let text = '';
      socket.setTimeout(5_000, () => socket.destroy());
      socket.on('data', (chunk) => {
        text += String(chunk);
        if (/\* OK \[CAPABILITY/.test(text)) {
          socket.end('a LOGOUT\r\n');
          resolve(true);
        }
      });
      socket.on('error', () => resolve(false));
      socket.on('close', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
