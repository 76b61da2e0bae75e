import { describe, expect, it } from 'vitest';
import { TocsinError } from '../lib/errors.ts';
import { parseScopeFile, ruleColumns } from './scope-file.ts';

const VALID = `rules:
  - name: imei-lookup
    request: GET /support/orders/lookup?imei=:imei
    exposes: [name, email, phone, postal_address]
  - name: order-api
    request: GET /api/v2/orders/:order_id
    exposes: [payment_card_last4, name, email, phone, postal_address]
    status: [200]
indicators:
  ips: ["198.51.100.7", "203.0.113.0/24", "2001:db8:bad::/48"]
  user_agents: ["python-requests/*"]
  accounts: [007]
  from: 2019-10-30T08:00:00+08:00
  until: 2019-11-13T23:59:59Z
`;

/** The message of the usage error parsing `text` throws. */
function problems(text: string): string {
  try {
    parseScopeFile(text, 'scope.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(TocsinError);
    expect((error as TocsinError).kind).toBe('invalid');
    return (error as TocsinError).message;
  }
  throw new Error('the scope file was accepted');
}

/** VALID with one line replaced. */
const withLine = (line: number, text: string) => VALID.split('\n').map((original, i) => (i === line - 1 ? text : original)).join('\n');

describe('parseScopeFile', () => {
  it('reads rules and indicators', () => {
    const scope = parseScopeFile(VALID, 'scope.yml');
    expect(scope.rules).toEqual([
      {
        name: 'imei-lookup',
        request: 'GET /support/orders/lookup?imei=:imei',
        method: 'GET',
        path: [{ literal: 'support' }, { literal: 'orders' }, { literal: 'lookup' }],
        query: [{ parameter: 'imei', column: 'imei' }],
        columns: ['imei'],
        exposes: ['name', 'email', 'phone', 'postal_address'],
        status: null,
      },
      {
        name: 'order-api',
        request: 'GET /api/v2/orders/:order_id',
        method: 'GET',
        path: [{ literal: 'api' }, { literal: 'v2' }, { literal: 'orders' }, { column: 'order_id' }],
        query: [],
        columns: ['order_id'],
        exposes: ['name', 'email', 'phone', 'postal_address', 'payment_card_last4'],
        status: [200],
      },
    ]);
    expect(scope.indicators).toEqual({
      ips: ['198.51.100.7', '203.0.113.0/24', '2001:db8:bad::/48'],
      userAgents: ['python-requests/*'],
      accounts: ['007'],
      from: Date.parse('2019-10-30T00:00:00Z'),
      // Inclusive to the end of the second.
      until: Date.parse('2019-11-13T23:59:59.999Z'),
    });
    expect(ruleColumns(scope)).toEqual(['imei', 'order_id']);
  });

  it('takes a window to the millisecond when given so, and leaves out indicators not yet known', () => {
    const exact = parseScopeFile(withLine(14, '  until: 2019-11-13T23:59:59.250Z'), 'scope.yml');
    expect(exact.indicators?.until).toBe(Date.parse('2019-11-13T23:59:59.250Z'));
    const rulesOnly = parseScopeFile(VALID.slice(0, VALID.indexOf('indicators:')), 'scope.yml');
    expect(rulesOnly.indicators).toBeNull();
    const unbounded = parseScopeFile(`${VALID.slice(0, VALID.indexOf('indicators:'))}indicators:\n  accounts: [u1]\n`, 'scope.yml');
    expect(unbounded.indicators).toMatchObject({ ips: [], userAgents: [], accounts: ['u1'], from: null, until: null });
  });

  it('names the line of an unknown category and lists the valid ones', () => {
    expect(problems(withLine(4, '    exposes: [name, adress]'))).toMatch(
      /^scope\.yml line 4: rules\[0\]\.exposes\[1\]: unknown category 'adress'; use one of: name, email, phone, postal_address, /,
    );
  });

  it('names the line of a bad network, time, status or template', () => {
    expect(problems(withLine(10, '  ips: ["203.0.113.0/33"]'))).toMatch(/^scope\.yml line 10: indicators\.ips\[0\]: .*from 0 to 32$/);
    expect(problems(withLine(13, '  from: 2019-10-30'))).toMatch(/^scope\.yml line 13: indicators\.from: '2019-10-30' is not a time with a zone/);
    expect(problems(withLine(13, '  from: 2019-10-30T00:00:00'))).toMatch(/line 13: .*not a time with a zone/);
    expect(problems(withLine(13, '  from: 2019-11-14T00:00:00Z'))).toMatch(/line 14: indicators\.until: ends before from/);
    expect(problems(withLine(8, '    status: [2xx]'))).toMatch(/line 8: rules\[1\]\.status\[0\]: '2xx' is not an HTTP status code/);
    expect(problems(withLine(6, '    request: GET /api/v2/orders/all'))).toMatch(/line 6: rules\[1\]\.request: .* binds no record column/);
    expect(problems(withLine(6, '    request: get /api/v2/orders/:id'))).toMatch(/line 6: .*write it in capitals/);
    expect(problems(withLine(6, '    request: GET /api/v2/orders/:id?lang=en'))).toMatch(/line 6: .*query part 'lang=en' must bind a column/);
    expect(problems(withLine(6, '    request: GET /api/v2/orders/:order-id'))).toMatch(/line 6: .*':order-id' is not a column binding; .* :\{Order ID\}/);
    expect(parseScopeFile(withLine(6, '    request: GET /api/v2/orders/:{Order ID}'), 'scope.yml').rules[1].columns).toEqual(['Order ID']);
    expect(problems(withLine(6, '    request: GET /api/v2/orders/:{ Order ID}'))).toMatch(/line 6: .*':\{ Order ID\}' is not a column binding/);
    expect(problems(withLine(6, '    request: GET /api/v2/orders/:{}'))).toMatch(/line 6: .*is not a column binding/);
    expect(problems(withLine(6, '    request: GET /api/v2/orders list/:order_id'))).toMatch(/line 6: .*is not a request template/);
  });

  it('names duplicate rule names and unknown keys', () => {
    expect(problems(withLine(5, '  - name: imei-lookup'))).toMatch(/^scope\.yml line 5: rules\[1\]\.name: a rule named 'imei-lookup' is already defined/);
    expect(problems(withLine(8, '    statuses: [200]'))).toMatch(/^scope\.yml line 8: rules\[1\]\.statuses: unknown key 'statuses'; expected one of: name, request, exposes, status$/);
    expect(problems(withLine(11, '  user_agent: ["x"]'))).toMatch(/line 11: indicators\.user_agent: unknown key 'user_agent'; expected one of: ips, user_agents/);
  });

  it('reports every problem at once, in line order', () => {
    const message = problems(
      withLine(4, '    exposes: [nmae]').replace('203.0.113.0/24', '203.0.113.1/24').replace('order-api', 'imei-lookup').replace('status: [200]', 'statuses: [200]'),
    );
    expect(message.split('\n').map((line) => line.match(/line (\d+): (\S+)/)?.slice(1).join(' '))).toEqual([
      '4 rules[0].exposes[0]:',
      '5 rules[1].name:',
      '8 rules[1].statuses:',
      '10 indicators.ips[1]:',
    ]);
  });

  it('names missing values and wrong shapes', () => {
    expect(problems('')).toMatch(/line 1: the file is empty/);
    expect(problems('rules: []\n')).toMatch(/line 1: rules: must list at least one rule/);
    expect(problems(withLine(4, '    exposes: name'))).toMatch(/line 4: rules\[0\]\.exposes: expected a list/);
    expect(problems(withLine(2, '  - name: [a]'))).toMatch(/line 2: rules\[0\]\.name: expected a single value, not a list/);
    expect(problems(withLine(3, '    request:'))).toMatch(/line 3: rules\[0\]\.request: .*not a request template/);
    expect(problems(VALID.replace('    request: GET /support/orders/lookup?imei=:imei\n', ''))).toMatch(/line 2: rules\[0\]\.request: is missing$/);
    expect(problems(`${VALID.slice(0, VALID.indexOf('indicators:'))}indicators:\n  ips: []\n`)).toMatch(/indicators: list at least one of ips, user_agents or accounts/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('rules:\n  - name: a\n    exposes: [name\n')).toMatch(/^scope\.yml line \d: /);
    expect(problems('rules: x\nrules: y\n')).toMatch(/^scope\.yml line 2: Map keys must be unique$/);
  });

  it('refuses aliases that expand into millions of copies, at the line of the first alias', () => {
    // Each level holds nine of the one before: 9^9 strings at the last, from a 500-byte file.
    const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]`);
    const bomb = `${levels.join('\n')}\nrules:\n  - name: a\n    request: GET /a/:order_id\n    exposes: *l8\n`;
    expect(problems(bomb)).toBe('scope.yml line 2: its aliases (*name) expand into too many copies of their values; write the values out instead');
    // A few aliases stay what YAML meant them for; one without its anchor is named.
    const shared = 'rules:\n  - name: a\n    request: GET /a/:order_id\n    exposes: &cats [name, email]\n  - name: b\n    request: GET /b/:order_id\n    exposes: *cats\n';
    expect(parseScopeFile(shared, 'scope.yml').rules.map((rule) => rule.exposes)).toEqual([['name', 'email'], ['name', 'email']]);
    expect(problems(shared.replace('&cats ', ''))).toBe('scope.yml line 7: *cats names no anchor before it; mark the value first with &cats');
  });

  it('says a binary file is not a scope file, in one short line, without its bytes', () => {
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, ...Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256)]).toString('utf8');
    expect(problems(gzip)).toBe("scope.yml line 1: the control character 0x1f: this is not a YAML scope file; give --rules the file with rules: and indicators:");
    expect(problems(`${VALID}# é in Latin-1: \ufffd\n`)).toMatch(/^scope\.yml line 15: bytes that are not UTF-8: this is not a YAML scope file/);
  });

  it('cuts long quotes of the file, escapes control characters and shows at most 20 problems', () => {
    const long = 'x'.repeat(5000);
    const message = problems(`rules:\n${Array.from({ length: 30 }, (_, i) => `  - name: r${i}\n    request: GET /a/:order_id\n    exposes: ["${long}\\e[2J"]`).join('\n')}\n`);
    const lines = message.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toMatch(/^scope\.yml line 4: rules\[0\]\.exposes\[0\]: unknown category 'x{60}…'; use one of: name, /);
    expect(lines[20]).toBe('scope.yml: 10 more problems');
    expect(message).not.toContain('\x1b');
    expect(message.length).toBeLessThan(21 * 400);
  });
});
