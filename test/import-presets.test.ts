import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tocsinMain } from './helpers/cli.ts';
import { describeEachDatabase, incidentIn } from './helpers/databases.ts';

const NO_STACK = /\n\s+at /;
const dir = mkdtempSync(join(tmpdir(), 'tocsin-import-presets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

// An export with columns of its own: first and last name apart, an address of two lines in one cell.
const ORDERS = write(
  'orders.csv',
  'order_id,email,first,last,street,city,imei\r\n' +
    '1001,antonin@example.cz,Antonín,Dvořák,"Na Příkopě 1\r\nbyt 4",Praha,359394490610106\r\n' +
    '1002,bara@example.cz,Barbora,Nová,Dlouhá 2,Brno,359394490610114\r\n' +
    '1003,cyril@example.cz,Cyril,Malý,Krátká 3,Ostrava,359394490610122\r\n',
);
const MAP = ['--key', 'order_id', '--subject', 'email', '--map', 'imei=device_id', '--map', 'first=name', '--map', 'last=name'];
const LOG = write(
  'access.log',
  [
    '198.51.100.7 - - [14/Nov/2019:10:00:00 +0000] "GET /support/lookup?imei=359394490610106 HTTP/1.1" 200 512 "-" "python-requests/2.22"',
    '198.51.100.7 - - [14/Nov/2019:10:00:01 +0000] "GET /support/lookup?imei=359394490610114 HTTP/1.1" 200 512 "-" "python-requests/2.22"',
    '203.0.113.9 - - [14/Nov/2019:10:00:02 +0000] "GET /support/lookup?imei=359394490610122 HTTP/1.1" 200 512 "-" "Mozilla/5.0"',
  ].join('\n') + '\n',
);
const scopeFile = (name: string, column: string) =>
  write(name, `rules:\n  - name: lookup\n    request: GET /support/lookup?imei=:${column}\n    exposes: [name, email, device_id]\nindicators:\n  ips: ["198.51.100.7"]\n`);

describeEachDatabase('a rule binding a mapped column', (database) => {
  const run = (...args: string[]) => tocsinMain(args, { database: database().config });
  const incident = (title: string) => incidentIn(database(), title);

  it('finds records by a --map column imported without --rules, building its lookups once', async () => {
    const id = await incident('Lookup page');
    const imported = await run('import', id, ORDERS, ...MAP, '--map', 'street=postal_address', '--map', 'city=postal_address');
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^kept for rules: +—$/m);

    for (const attempt of [1, 2]) {
      const scoped = await run('scope', id, '--rules', scopeFile('imei.yml', 'imei'), '--logs', LOG, '--json');
      expect(scoped.status, `run ${attempt}: ${scoped.stderr}`).toBe(0);
      expect(JSON.parse(scoped.stdout)).toMatchObject({ affected: 2, exposed_records: 2, unknown_values: 0 });
    }
    // Built once from the stored fields, then kept: the second run found them and added none.
    const ctx = await database().context();
    try {
    const lookups = await ctx.db.selectFrom('record_lookups').select(['column_name', 'value', 'key']).where('incident_id', '=', id).orderBy('key').execute();
    expect(lookups).toEqual([
      { column_name: 'imei', value: '359394490610106', key: '1001' },
      { column_name: 'imei', value: '359394490610114', key: '1002' },
      { column_name: 'imei', value: '359394490610122', key: '1003' },
    ]);
    const { mapping } = await ctx.db.selectFrom('imports').select('mapping').where('incident_id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.parse(mapping).keep).toEqual(['imei']);

    // The name's parts joined with a space, the address's with ', ' and its own line break kept in CSV.
    const affected = await run('affected', id);
    expect(affected.status, affected.stderr).toBe(0);
    expect(affected.stdout).toContain('antonin@example.cz,Antonín Dvořák,');
    expect(affected.stdout).not.toContain('Antonín\nDvořák');
    const { fields } = await ctx.db.selectFrom('records').select('fields').where('incident_id', '=', id).where('key', '=', '1001').executeTakeFirstOrThrow();
    expect(JSON.parse(fields)).toMatchObject({ name: 'Antonín Dvořák', postal_address: 'Na Příkopě 1\r\nbyt 4, Praha' });
    } finally {
      await ctx.close();
    }
  });

  it('refuses a rule binding a column stored merged with another, saying why', async () => {
    const id = await incident('Lookup page');
    const imported = await run('import', id, ORDERS, ...MAP);
    expect(imported.status, imported.stderr).toBe(0);
    const refused = await run('scope', id, '--rules', scopeFile('first.yml', 'first'), '--logs', LOG);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("binds column 'first', which an import mapped to name together with other columns, so its own values are not stored apart; re-import the records with --rules");
    expect(refused.stderr).not.toMatch(NO_STACK);
  });

  it('says which WooCommerce exporter it detected, and refuses the Analytics download', async () => {
    const id = await incident('Woo');
    const webtoffee = write('webtoffee.csv', 'order_id,order_number,billing_first_name,billing_last_name,billing_email\r\n42,42,Ema,Malá,ema@example.cz\r\n');
    const imported = await run('import', id, webtoffee, '--preset', 'woocommerce');
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^preset: +woocommerce-webtoffee \(detected from the header\)$/m);

    // WP All Export's WooCommerce Orders export, its columns named as the plugin names its fields
    // (libraries/XmlExportWooCommerceOrder.php): the three a new export holds, then the Customer section's.
    const wpAllExport = write(
      'wp-all-export.csv',
      '"Order ID","Order Key",Title,"Billing First Name","Billing Last Name","Billing Email Address","Customer Account Email Address","Billing Phone",' +
        '"Billing Address 1","Billing City","Billing Postcode","Billing Country","Shipping First Name","Shipping Last Name","Shipping Address 1","Shipping City","Shipping Postcode","Shipping Country"\r\n' +
        '43,wc_order_5dcd1b2f3a,"Order - November 14, 2019 @ 10:00 AM",Ema,Malá,ema@example.cz,,+420601123456,"Dlouhá 2",Brno,60200,CZ,Jan,Malý,"Krátká 3",Ostrava,70200,CZ\r\n',
    );
    const detected = await run('import', id, wpAllExport, '--preset', 'woocommerce');
    expect(detected.status, detected.stderr).toBe(0);
    expect(detected.stdout).toMatch(/^preset: +woocommerce-wpallexport \(detected from the header\)$/m);
    const ctx = await database().context();
    try {
      const record = await ctx.db.selectFrom('records').select(['subject', 'country', 'region', 'fields']).where('incident_id', '=', id).where('key', '=', '43').executeTakeFirstOrThrow();
      expect(record).toMatchObject({ subject: 'ema@example.cz', country: 'CZ', region: null });
      expect(JSON.parse(record.fields)).toEqual({
        email: 'ema@example.cz',
        name: 'Ema Malá\nJan Malý',
        phone: '+420601123456',
        postal_address: 'Dlouhá 2, 60200, Brno, CZ\nKrátká 3, 70200, Ostrava, CZ',
      });
    } finally {
      await ctx.close();
    }

    const analytics = write('analytics.csv', 'Date,Order #,N. Revenue (formatted),Status,Customer,Customer type,Product(s),Items sold,Coupon(s),Net Sales\r\n2019-11-01,42,100 Kč,Completed,Ema Malá,new,Phone,1,,100\r\n');
    const refused = await run('import', id, analytics, '--preset', 'woocommerce');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('Analytics › Orders download, which has no customer email column');
    expect(refused.stderr).toContain('woocommerce-algolplus');
    expect(refused.stderr).toContain("woocommerce-wpallexport ('Order ID' and 'Billing Email Address')");
    expect(refused.stderr).not.toMatch(NO_STACK);
  });
});

describe('tocsin import --help', () => {
  it("lists every preset's columns and the PrestaShop query", async () => {
    const { status, stdout } = await tocsinMain(['import', '--help']);
    expect(status).toBe(0);
    for (const text of ['woocommerce-algolplus', 'Email (Billing) → email', 'billing.email → email', 'Bill-to Name → name', 'FROM ps_orders o']) expect(stdout).toContain(text);
  });
});
