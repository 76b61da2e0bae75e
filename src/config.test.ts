import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configWith, describeConfig, loadConfig, withoutPassword } from './config.ts';

function dataDirWith(yaml: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-config-'));
  if (yaml !== null) writeFileSync(join(dir, 'tocsin.yml'), yaml);
  return dir;
}

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
};

describe('loadConfig', () => {
  it('takes defaults < tocsin.yml < environment < flags, and says where each value came from', () => {
    const dir = dataDirWith('listen: 0.0.0.0:8000\nlog_level: info\nshop:\n  name: Example Phone Shop\n  domains: [shop.example.com]\n');
    const loaded = loadConfig({ dataDir: dir, debug: true }, { TOCSIN_LISTEN: '127.0.0.1:9000', TOCSIN_PUBLIC_LISTEN: '[::1]:9001', TOCSIN_DATA_DIR: '/elsewhere' });
    expect(loaded.file).toBe(join(dir, 'tocsin.yml'));
    expect(loaded.config).toMatchObject({
      data_dir: dir,
      listen: '127.0.0.1:9000',
      public_listen: '[::1]:9001',
      log_level: 'debug',
      shop: { name: 'Example Phone Shop', domains: ['shop.example.com'] },
      upload_limit: 1024 ** 3,
      import_dirs: [],
    });
    const from = Object.fromEntries(describeConfig(loaded).map(({ key, source }) => [key, source]));
    expect(from).toMatchObject({ data_dir: 'flag', listen: 'env', public_listen: 'env', log_level: 'flag', 'shop.name': 'file', 'shop.domains': 'file', upload_limit: 'default' });
  });

  it('keeps the variables Tocsin always read: TOCSIN_DATA_DIR, DATABASE_URL, TOCSIN_SECRET, TOCSIN_SMTP_PASSWORD, TOCSIN_LOG_LEVEL, CI', () => {
    const dir = dataDirWith(null);
    const secret = 'ab'.repeat(32);
    const { config, file } = loadConfig({}, { TOCSIN_DATA_DIR: dir, DATABASE_URL: 'postgres://u:pw@db/tocsin', TOCSIN_SECRET: ` ${secret}\n`, TOCSIN_SMTP_PASSWORD: 'p w', TOCSIN_LOG_LEVEL: 'error', CI: 'true' });
    expect(file).toBeNull();
    expect(config).toMatchObject({ data_dir: dir, database_url: 'postgres://u:pw@db/tocsin', secret, smtp: { password: 'p w' }, log_level: 'error', progress: false });
    expect(loadConfig({}, { TOCSIN_DATA_DIR: dir, DATABASE_URL: 'postgres://a/x', TOCSIN_DATABASE_URL: 'postgres://b/y' }).config.database_url).toBe('postgres://b/y');
  });

  it('reads --config FILE instead of the data directory, which may then name the data directory', () => {
    const dir = dataDirWith('shop:\n  name: Not this one\n');
    const file = join(dataDirWith(null), 'shop.yml');
    writeFileSync(file, `data_dir: ${dir}\nsender:\n  from: notices@shop.example.com\n  dkim: { domain: shop.example.com, selector: tocsin, key_file: dkim.pem }\nupload_limit: 512MiB\nimport_dirs: [/srv/exports, exports]\n`);
    const { config } = loadConfig({ config: file }, {});
    const beside = (name: string) => join(file, '..', name);
    expect(config).toMatchObject({ data_dir: dir, shop: { domains: [] }, sender: { from: 'notices@shop.example.com', dkim: { selector: 'tocsin', key_file: beside('dkim.pem') } }, upload_limit: 512 * 2 ** 20, import_dirs: ['/srv/exports', beside('exports')] });
    expect(config.shop.name).toBeUndefined();
  });

  it('refuses an unknown key, naming it and its line, and the keys there are', () => {
    const dir = dataDirWith('listen: 127.0.0.1:8080\nshop:\n  name: Shop\n  adress: 1 Road\n');
    expect(refusal(() => loadConfig({ dataDir: dir }, {}))).toMatchObject({
      code: 'CONFIG_INVALID',
      kind: 'invalid',
      message: `${join(dir, 'tocsin.yml')}, line 4: shop.adress: unknown key; the keys are shop.name, shop.domains, shop.postal_address, shop.logo, shop.colours`,
    });
    expect(refusal(() => loadConfig({ dataDir: dataDirWith('\n\nlisten_on: x\n') }, {}))).toMatchObject({ message: expect.stringMatching(/line 3: listen_on: unknown key; the keys are data_dir, database_url, database_pool, secret_file,/) });
  });

  it('refuses a bad value, naming where it was given and what is expected', () => {
    const dir = dataDirWith('shop:\n  domains: [shop.example.com, "not a domain"]\n');
    expect(refusal(() => loadConfig({ dataDir: dir }, {}))).toMatchObject({ code: 'CONFIG_INVALID', message: `${join(dir, 'tocsin.yml')}, line 2: shop.domains, item 2: expected a domain name like shop.example.com` });
    const empty = dataDirWith(null);
    expect(refusal(() => loadConfig({ dataDir: empty }, { TOCSIN_LISTEN: 'localhost' }))).toMatchObject({ message: 'TOCSIN_LISTEN: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080' });
    expect(refusal(() => loadConfig({ dataDir: empty }, { TOCSIN_PUBLIC_LISTEN: '0.0.0.0:70000' }))).toMatchObject({ message: 'TOCSIN_PUBLIC_LISTEN: expected a port up to 65535' });
    expect(refusal(() => loadConfig({ dataDir: empty }, { TOCSIN_SECRET: 'short' }))).toMatchObject({ message: 'TOCSIN_SECRET: expected 64 hex digits (32 random bytes), e.g. from `openssl rand -hex 32`' });
    expect(refusal(() => loadConfig({ dataDir: empty }, { TOCSIN_UPLOAD_LIMIT: 'lots' }))).toMatchObject({ message: expect.stringContaining('TOCSIN_UPLOAD_LIMIT: expected a size like 512MiB') });
    expect(refusal(() => loadConfig({ dataDir: empty }, { TOCSIN_UPLOAD_LIMIT: '0MiB' }))).toMatchObject({ message: 'TOCSIN_UPLOAD_LIMIT: expected a size above 0' });
    expect(refusal(() => loadConfig({ dataDir: empty }, { TOCSIN_DKIM_DOMAIN: 'shop.example.com' }))).toMatchObject({ message: 'sender.dkim.selector: missing' });
    expect(refusal(() => loadConfig({ dataDir: dataDirWith('log_level: loud\n') }, {}))).toMatchObject({ message: expect.stringMatching(/line 1: log_level: .*warn/) });
  });

  it('keeps secrets out of tocsin.yml, and refuses YAML that is not a map or not YAML', () => {
    expect(refusal(() => loadConfig({ dataDir: dataDirWith(`secret: ${'ab'.repeat(32)}\n`) }, {}))).toMatchObject({ message: expect.stringContaining('secret: a secret stays out of tocsin.yml; give it in the environment (TOCSIN_SECRET) or name a file holding it (secret_file)') });
    expect(refusal(() => loadConfig({ dataDir: dataDirWith('smtp:\n  password: hunter2\n') }, {}))).toMatchObject({ message: expect.stringContaining('line 2: smtp.password: a secret stays out of tocsin.yml') });
    expect(refusal(() => loadConfig({ dataDir: dataDirWith('- a\n- b\n') }, {}))).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('not a list') });
    expect(refusal(() => loadConfig({ dataDir: dataDirWith('shop: [\n') }, {}))).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('not valid YAML') });
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    expect(refusal(() => loadConfig({ dataDir: dataDirWith(bomb) }, {}))).toBeInstanceOf(Error);
  });

  it("takes the reporting mailbox's settings: --smtp-listen over the file, the IMAP password only from the environment, paths relative to the file", () => {
    const dir = dataDirWith('phishing:\n  smtp:\n    listen: 127.0.0.1:25\n    cert_file: mx.pem\n    key_file: mx-key.pem\n  imap:\n    host: imap.example.com\n    user: phishing@shop.example.com\n    password_file: imap-password\n');
    const { config, sources } = loadConfig({ dataDir: dir, smtpListen: '0.0.0.0:2525' }, {});
    expect(config.phishing.smtp).toEqual({ listen: '0.0.0.0:2525', size_limit: 25 * 1024 ** 2, recipients: [], max_clients: 100, cert_file: join(dir, 'mx.pem'), key_file: join(dir, 'mx-key.pem') });
    expect(config.phishing.imap).toEqual({ host: 'imap.example.com', security: 'tls', user: 'phishing@shop.example.com', password_file: join(dir, 'imap-password'), mailbox: 'INBOX', interval_seconds: 60 });
    expect(sources.get('phishing.smtp.listen')).toBe('flag');
    expect(loadConfig({ dataDir: dataDirWith(null) }, { TOCSIN_PHISHING_SMTP_LISTEN: '[::]:2525' }).config.phishing.smtp.listen).toBe('[::]:2525');
    expect(refusal(() => loadConfig({ dataDir: dataDirWith('phishing:\n  imap:\n    host: h\n    user: u\n    password: hunter2\n') }, {}))).toMatchObject({ message: expect.stringContaining('line 5: phishing.imap.password: a secret stays out of tocsin.yml; give it in the environment (TOCSIN_PHISHING_IMAP_PASSWORD)') });
    expect(refusal(() => loadConfig({ dataDir: dataDirWith('phishing:\n  imap:\n    host: h\n    user: u\n    security: none\n') }, {}))).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('phishing.imap.security') });
    expect(describeConfig(loadConfig({ dataDir: dataDirWith('phishing:\n  imap:\n    host: h\n    user: u\n') }, { TOCSIN_PHISHING_IMAP_PASSWORD: 'hunter2' })).find((entry) => entry.key === 'phishing.imap.password')).toEqual({ key: 'phishing.imap.password', value: '(set, hidden)', source: 'env' });
  });

  it('refuses a --config file it cannot read, and a data directory tocsin.yml that would move the data directory', () => {
    expect(refusal(() => loadConfig({ config: '/nonexistent/tocsin.yml' }, {}))).toMatchObject({ code: 'CONFIG_UNREADABLE', kind: 'invalid', message: expect.stringContaining('ENOENT') });
    expect(refusal(() => loadConfig({ dataDir: dataDirWith('data_dir: /tmp/other\n') }, {}))).toMatchObject({ message: expect.stringContaining("line 1: data_dir: the data directory's own tocsin.yml cannot move it") });
  });

  it('shows secrets as set, never their values, and URLs without their password', () => {
    const loaded = loadConfig({ dataDir: dataDirWith('smtp:\n  url: smtp://mailer:inline@smtp.example.com\n') }, { TOCSIN_SECRET: 'cd'.repeat(32), TOCSIN_SMTP_PASSWORD: 'hunter2', DATABASE_URL: 'postgres://tocsin:s3cret@db/tocsin' });
    const shown = JSON.stringify(describeConfig(loaded));
    for (const secret of ['cd'.repeat(32), 'hunter2', 's3cret', 'inline']) expect(shown).not.toContain(secret);
    expect(Object.fromEntries(describeConfig(loaded).map(({ key, value }) => [key, value]))).toMatchObject({ secret: '(set, hidden)', 'smtp.password': '(set, hidden)', 'smtp.url': 'smtp://mailer:***@smtp.example.com', database_url: 'postgres://tocsin:***@db/tocsin', secret_file: null });
    expect(withoutPassword('not a url://u:p@x')).toBe('not a url://u:***@x');
  });

  it("takes tocsin serve's flags over the environment, naming the flag in a refusal", () => {
    const empty = dataDirWith(null);
    const env = { TOCSIN_LISTEN: '127.0.0.1:9000', TOCSIN_TRUST_PROXY: '10.0.0.0/8, fd00::/8', TOCSIN_TLS_CERT: 'env.pem' };
    const { config, sources } = loadConfig({ dataDir: empty, listen: '[::1]:7000', publicListen: '0.0.0.0:7001', tlsCert: 'cert.pem', tlsKey: 'key.pem', importDir: ['/srv/a', '/srv/b'], uploadLimit: '2MiB' }, env);
    expect(config).toMatchObject({ listen: '[::1]:7000', public_listen: '0.0.0.0:7001', tls: { cert_file: 'cert.pem', key_file: 'key.pem' }, trust_proxy: ['10.0.0.0/8', 'fd00::/8'], import_dirs: ['/srv/a', '/srv/b'], upload_limit: 2 * 2 ** 20 });
    expect(Object.fromEntries(sources)).toMatchObject({ listen: 'flag', 'tls.cert_file': 'flag', trust_proxy: 'env' });
    expect(refusal(() => loadConfig({ dataDir: empty, listen: 'localhost' }, {}))).toMatchObject({ kind: 'invalid', message: '--listen: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080' });
    expect(refusal(() => loadConfig({ dataDir: empty, trustProxy: ['127.0.0.1', '10.0.0.0/33'] }, {}))).toMatchObject({ message: '--trust-proxy, item 2: expected an address or CIDR, e.g. 10.0.0.0/8, 127.0.0.1 or fd00::/8' });
    for (const proxy of ['proxy.example', '10.0.0.0/8/8', '::1/129', '10.0.0.0/x']) {
      expect(refusal(() => loadConfig({ dataDir: empty }, { TOCSIN_TRUST_PROXY: proxy }))).toMatchObject({ message: expect.stringContaining('TOCSIN_TRUST_PROXY, item 1: expected an address or CIDR') });
    }
    for (const address of ['8080', '127.0.0.1', '::1:8080', 'host:65536', 'ho st:80', '[::1]:', 'a/b:80', 'host:80\nX-Injected: 1']) {
      expect(refusal(() => loadConfig({ dataDir: empty, publicListen: address }, {}))).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^--public-listen: expected /) });
    }
  });

  it('gives tests and the demo the defaults with overrides, reading nothing', () => {
    expect(configWith({ data_dir: '/srv/tocsin' })).toMatchObject({ data_dir: '/srv/tocsin', listen: '127.0.0.1:8080', public_listen: '127.0.0.1:8081', log_level: 'warn', progress: true });
  });
});
