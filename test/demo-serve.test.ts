import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_INCIDENT, DEMO_NARRATIVES } from '../src/demo/index.ts';
import { startTocsin, tocsin } from './helpers/cli.ts';
import { json } from './helpers/server.ts';

// The demo always runs on its own SQLite database in its workspace, whatever DATABASE_URL says:
// this suite has no PostgreSQL half (and checks that a DATABASE_URL in the environment is ignored).

const dir = mkdtempSync(join(tmpdir(), 'tocsin-demo-serve-'));
const workspace = join(dir, 'demo');

/** What `demo --serve` printed once it serves: the two listeners and the admin's login. */
interface Served {
  console: string;
  public: string;
  /** The demo incident's page on the portal. */
  incident: string;
  email: string;
  password: string;
}

/** `tocsin demo --serve` (on a small shop, or as ARGS say) on free ports, once it has printed where it serves and how to sign in. */
function demoServe(args = ['--dir', workspace, '--orders', '300', '--log-lines', '3000']) {
  const env = {
    ...process.env,
    CI: '1',
    // The user's own settings: a configuration with no tocsin.yml, and a database the demo must not use.
    TOCSIN_DATA_DIR: join(dir, 'own-data'),
    DATABASE_URL: 'postgres://nobody@127.0.0.1:1/not-the-demo',
    TOCSIN_DATABASE_URL: '',
  };
  return startTocsin(['demo', '--serve', ...args, '--listen', '127.0.0.1:0', '--public-listen', '127.0.0.1:0'], {
    env,
    ready: (stderr): Served | undefined => {
      const value = (label: string) => new RegExp(`^\\s*${label}: (\\S+)$`, 'm').exec(stderr)?.[1];
      const [consoleUrl, publicUrl, incident, email, password] = ['console', 'public', 'incident page', 'email', 'password'].map(value);
      if (!consoleUrl || !publicUrl || !incident || !email || !password) return undefined;
      return { console: consoleUrl, public: publicUrl, incident, email, password };
    },
  });
}

function signIn(served: Served, password = served.password): Promise<Response> {
  return fetch(`${served.console}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: served.email, password }) });
}

/** Every file below a directory, as bytes. */
function filesBelow(root: string): Buffer[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name)));
}

describe('tocsin demo --serve [sqlite]', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let first: Served;

  it('runs the demo, then serves it with a new admin login; the console and the public side answer; SIGTERM exits 0', async () => {
    const { found: served, child, exited } = await demoServe();
    first = served;
    try {
      expect(served.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(served.public).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(served.public).not.toBe(served.console);
      expect(served.email).toBe('admin@shop.example.com');
      expect(served.password).toMatch(/^[0-9a-f]{32}$/);

      expect((await signIn(served, `${served.password}x`)).status).toBe(401);
      const session = await signIn(served);
      expect(session.status).toBe(200);
      expect((await json(session)).account).toMatchObject({ email: served.email, role: 'admin', via: 'session' });
      const cookie = session.headers.getSetCookie()[0].split(';')[0];
      expect(cookie).toMatch(/^tocsin_session=\S+$/);

      const incidents = await fetch(`${served.console}/api/incidents`, { headers: { cookie } });
      expect(incidents.status).toBe(200);
      const { items } = await json(incidents);
      expect(items).toEqual([expect.objectContaining({ title: DEMO_INCIDENT.title, controller: DEMO_INCIDENT.controller })]);
      expect((await fetch(`${served.console}/api/incidents`)).status).toBe(401);

      // The server runs jobs, and they may name the demo shop's files by name: detection, as the demo ran it.
      const detect = await fetch(`${served.console}/api/incidents/${items[0].id}/detect`, {
        method: 'POST',
        headers: { cookie, origin: served.console, 'content-type': 'application/json' },
        body: JSON.stringify({ rules: readFileSync(join(workspace, 'shop', 'scope.yml'), 'utf8'), logs: ['access.log', 'access.log.1', 'access.log.2.gz'] }),
      });
      expect(detect.status).toBe(202);
      // The job's event stream ends with the job; its last view is the outcome.
      const stream = await (await fetch(`${served.console}/api/jobs/${(await json(detect)).id}/events`, { headers: { cookie } })).text();
      const last = JSON.parse(stream.trim().split('\n').at(-1)!.replace(/^data: /, ''));
      expect(last).toMatchObject({ kind: 'detect', state: 'succeeded' });
      expect(last.result.suspects.length).toBeGreaterThan(0);

      // The demo incident's page is published on the portal, and the portal's home leads to it.
      expect(served.incident).toBe(`${served.public}/incidents/${items[0].id}`);
      const page = await fetch(`${served.incident}?lang=fr`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(DEMO_NARRATIVES.fr.what_happened![0].replaceAll("'", '&#39;'));
      expect(html).toContain('Example Phone Shop Ltd');
      expect(await (await fetch(served.public)).text()).toContain(`href="/incidents/${items[0].id}?lang=`);

      // The public listener is up, and nothing of the staff side answers on it.
      expect((await fetch(`${served.public}/healthz`)).status).toBe(404);
      const publicApi = await fetch(`${served.public}/api/incidents`, { headers: { cookie } });
      expect(publicApi.status).toBe(404);
      expect((await json(publicApi)).error.code).toBe('NOT_FOUND');
      expect((await fetch(`${served.public}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);

      // The password was printed, and is kept nowhere in clear: not in the database, its WAL, or any other file.
      expect(filesBelow(workspace).filter((bytes) => bytes.includes(served.password))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('runs again on the same workspace with a new login; the old password no longer opens it', async () => {
    expect(first).toBeDefined();
    const { found: served, child, exited } = await demoServe();
    try {
      expect(served.password).not.toBe(first.password);
      expect((await signIn(served, first.password)).status).toBe(401);
      expect((await signIn(served)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses a bad listen address before it generates anything', () => {
    const elsewhere = join(dir, 'never-made');
    const result = tocsin(['demo', '--serve', '--dir', elsewhere, '--listen', 'localhost']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('tocsin: --listen: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080\n');
    expect(existsSync(elsewhere)).toBe(false);
  });

  it('ends by itself without --serve, as tests and CI run it', () => {
    const result = tocsin(['demo', '--dir', join(dir, 'once'), '--orders', '300', '--log-lines', '3000']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('The demo is in');
    expect(result.stderr).not.toMatch(/^(console|public): /m);
  });

  it('serves a copy of an earlier workspace (--from) as that demo left it, with an admin login of its own; the earlier one stays as it was', async () => {
    const from = join(dir, 'once');
    const before = filesBelow(from);
    const copy = join(dir, 'copy');
    const { found: served, child, exited } = await demoServe(['--from', from, '--dir', copy]);
    try {
      const session = await signIn(served);
      expect(session.status).toBe(200);
      const cookie = session.headers.getSetCookie()[0].split(';')[0];
      const { items } = await json(await fetch(`${served.console}/api/incidents`, { headers: { cookie } }));
      expect(items).toEqual([expect.objectContaining({ title: DEMO_INCIDENT.title })]);
      // The demo's work is there, its audit trail intact (the copy keeps the secret key it was chained with), and its page published.
      const trail = await json(await fetch(`${served.console}/api/incidents/${items[0].id}/audit/verify`, { headers: { cookie } }));
      expect(trail).toMatchObject({ intact: true });
      expect(trail.entries).toBeGreaterThan(10);
      expect(served.incident).toBe(`${served.public}/incidents/${items[0].id}`);
      expect((await fetch(served.incident)).status).toBe(200);
      expect(readFileSync(join(copy, 'shop', 'orders.csv'))).toEqual(readFileSync(join(from, 'shop', 'orders.csv')));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(filesBelow(from)).toEqual(before);
  });

  it('copies only a workspace the demo made, never into itself, and says so in plain text whatever the path', () => {
    const stranger = join(dir, 'not-a-demo\x1b[2J\u202e');
    mkdirSync(stranger);
    const refused = tocsin(['demo', '--from', stranger, '--dir', join(dir, 'never')]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^tocsin: .*not-a-demo.* is not a workspace made by 'tocsin demo'; give --from the --dir of an earlier demo\n$/);
    expect(refused.stderr).not.toMatch(/[\x1b\u202e]/);
    expect(existsSync(join(dir, 'never'))).toBe(false);

    const from = join(dir, 'once');
    for (const into of [from, join(from, 'shop'), dir]) {
      const overlapping = tocsin(['demo', '--from', from, '--dir', into]);
      expect(overlapping.status).toBe(2);
      expect(overlapping.stderr).toBe(`tocsin: --dir ${into} and --from ${from} overlap; choose another --dir\n`);
    }
    expect(existsSync(join(from, 'shop', 'orders.csv'))).toBe(true);
  });
});
