import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCombinedLine } from '../evidence/index.ts';
import { TocsinError } from '../lib/errors.ts';
import { scanLogs, type Hit, type ScanOptions } from './scan.ts';
import { parseScopeFile } from './scope-file.ts';

const RULES = `rules:
  - name: imei-lookup
    request: GET /support/orders/lookup?imei=:imei
    exposes: [name, email, phone, postal_address]
  - name: order-api
    request: GET /api/v2/orders/:order_id
    exposes: [name, email, phone, postal_address, payment_card_last4]
    status: [200]
`;
const scope = parseScopeFile(
  `${RULES}indicators:
  ips: ["198.51.100.7", "203.0.113.0/24", "2001:db8:bad::/48"]
  user_agents: ["python-requests/*"]
  accounts: ["u101027"]
  from: 2019-10-30T00:00:00Z
  until: 2019-11-13T23:59:59Z
`,
  'scope.yml',
);

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.97 Safari/537.36';
const INSIDE = '2019-11-05T10:00:00Z';

type Request = {
  ip?: string;
  user?: string | null;
  at?: string;
  /** Minutes east of UTC the log writes the time at; the shop's servers say +0800. */
  offset?: number;
  method?: string;
  target: string;
  status?: number | null;
  userAgent?: string | null;
  referer?: string | null;
  forwardedFor?: string | null;
};

/** A combined log line; by default the attacker's script reading an order inside the window. */
function line(request: Request): string {
  return formatCombinedLine(
    {
      ip: request.ip ?? '198.51.100.7',
      ident: null,
      user: request.user ?? null,
      time: Date.parse(request.at ?? INSIDE),
      method: request.method ?? 'GET',
      target: request.target,
      protocol: 'HTTP/1.1',
      status: request.status === undefined ? 200 : request.status,
      bytes: 512,
      referer: request.referer ?? null,
      userAgent: request.userAgent === undefined ? 'python-requests/2.22.0' : request.userAgent,
      forwardedFor: request.forwardedFor ?? null,
    },
    request.offset ?? 480,
  );
}

/** A customer reading their own order: no indicator matches. */
const customer = (target: string, at = INSIDE) => line({ ip: '91.92.117.197', userAgent: BROWSER, target, at });

const dir = mkdtempSync(join(tmpdir(), 'tocsin-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function logFile(content: string | Uint8Array, name = `access-${++files}.log`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const lines = (...text: string[]) => `${text.join('\n')}\n`;

const attacker: ScanOptions = { reading: { format: 'combined' }, mode: 'attacker' };
async function scan(paths: string[], options: Partial<ScanOptions> = {}) {
  return scanLogs(paths, scope, { ...attacker, ...options });
}
const brief = (hit: Hit) => `${hit.line} ${hit.rule} ${hit.column}=${hit.value} ${hit.status} ${hit.exposes ? 'exposes' : 'reveals nothing'}`;

describe('scanLogs in attacker mode', () => {
  it('compares instants: logs at any offset against a window in UTC, both ends included', async () => {
    const path = logFile(
      lines(
        line({ target: '/api/v2/orders/SO1', at: '2019-10-29T23:59:59Z' }),
        line({ target: '/api/v2/orders/SO2', at: '2019-10-30T00:00:00Z' }),
        line({ target: '/api/v2/orders/SO3', at: '2019-10-30T00:00:00Z', offset: -300 }),
        line({ target: '/api/v2/orders/SO4', at: '2019-11-13T23:59:59Z' }),
        line({ target: '/api/v2/orders/SO5', at: '2019-11-14T00:00:00Z', offset: 0 }),
        line({ target: '/api/v2/orders/SO6', at: '2019-11-14T00:00:00Z', offset: 480 }),
      ),
    );
    const { hits, files } = await scan([path]);
    expect(hits.map((hit) => hit.value)).toEqual(['SO2', 'SO3', 'SO4']);
    expect(hits[0]).toMatchObject({ file: path, line: 2, time: Date.parse('2019-10-30T00:00:00Z'), target: '/api/v2/orders/SO2', ip: '198.51.100.7' });
    expect(files[0]).toMatchObject({ lines: 6, firstTime: Date.parse('2019-10-29T23:59:59Z'), lastTime: Date.parse('2019-11-14T00:00:00Z') });
  });

  it('decodes percent-encoded values, takes query parameters in any order, and HEAD or POST are not GET', async () => {
    const path = logFile(
      lines(
        line({ target: '/support/orders/lookup?imei=35%36725740216389' }),
        line({ target: '/support/orders/lookup?lang=en&imei=356725740216397' }),
        line({ target: '/support/orders/lookup?imei=356725740216405&lang=en' }),
        line({ target: '/support/orders/%6Cookup?imei=356725740216413' }),
        line({ target: '/api/v2/orders/SO%31%30%30' }),
        line({ method: 'HEAD', target: '/api/v2/orders/SO200' }),
        line({ method: 'POST', target: '/support/orders/lookup?imei=356725740216421' }),
        line({ target: '/support/orders/lookup?lang=en' }),
        line({ target: '/support/orders/lookup/?imei=356725740216439' }),
      ),
    );
    const { hits } = await scan([path]);
    expect(hits.map(brief)).toEqual([
      '1 imei-lookup imei=356725740216389 200 exposes',
      '2 imei-lookup imei=356725740216397 200 exposes',
      '3 imei-lookup imei=356725740216405 200 exposes',
      '4 imei-lookup imei=356725740216413 200 exposes',
      '5 order-api order_id=SO100 200 exposes',
    ]);
  });

  it('keeps refused and failed requests as hits that reveal nothing', async () => {
    const statuses = [200, 204, 206, 301, 403, 404, 429, 500, 503];
    const path = logFile(
      lines(
        ...statuses.map((status, i) => line({ target: `/api/v2/orders/SO${i}`, status })),
        ...statuses.map((status, i) => line({ target: `/support/orders/lookup?imei=${i}`, status })),
        line({ target: '/api/v2/orders/SOX', status: null }),
      ),
    );
    const { hits } = await scan([path]);
    const exposing = hits.filter((hit) => hit.exposes).map((hit) => `${hit.rule} ${hit.status}`);
    // order-api lists [200]; imei-lookup takes any 2xx.
    expect(exposing).toEqual(['order-api 200', 'imei-lookup 200', 'imei-lookup 204', 'imei-lookup 206']);
    expect(hits).toHaveLength(statuses.length * 2 + 1);
    expect(hits.at(-1)).toMatchObject({ status: null, exposes: false });
  });

  it('finds the attacker by address, user agent or account, and names the indicator', async () => {
    const path = logFile(
      lines(
        line({ ip: '203.0.113.77', userAgent: BROWSER, target: '/api/v2/orders/SO1' }),
        line({ ip: '2001:db8:bad:1::7', userAgent: BROWSER, target: '/api/v2/orders/SO2' }),
        line({ ip: '2001:0db8:0bad:0001:0000:0000:0000:0007', userAgent: BROWSER, target: '/api/v2/orders/SO3' }),
        line({ ip: '2001:db8:bae::1', userAgent: BROWSER, target: '/api/v2/orders/SO4' }),
        line({ ip: '192.0.2.9', target: '/api/v2/orders/SO5' }),
        line({ ip: '192.0.2.9', userAgent: BROWSER, user: 'u101027', target: '/api/v2/orders/SO6' }),
        line({ ip: '192.0.2.9', userAgent: null, target: '/api/v2/orders/SO7' }),
        customer('/api/v2/orders/SO8'),
      ),
    );
    const { hits } = await scan([path]);
    expect(hits.map((hit) => `${hit.value} ${hit.indicator}`)).toEqual([
      'SO1 ip 203.0.113.0/24',
      'SO2 ip 2001:db8:bad::/48',
      'SO3 ip 2001:db8:bad::/48',
      'SO5 user_agent python-requests/*',
      'SO6 account u101027',
    ]);
  });

  it('reads common format lines and escaped quotes', async () => {
    const path = logFile(
      lines(
        '203.0.113.8 - - [05/Nov/2019:18:00:00 +0800] "GET /api/v2/orders/SO1 HTTP/1.1" 200 512',
        '192.0.2.9 - - [05/Nov/2019:18:00:01 +0800] "GET /api/v2/orders/SO2 HTTP/1.1" 200 512 "-" "python-requests/2.22.0 \\"quoted\\""',
        '192.0.2.9 - - [05/Nov/2019:18:00:02 +0800] "GET /api/v2/orders/SO3?q=\\"x\\" HTTP/1.1" 200 512 "-" "python-requests/2.22.0"',
      ),
    );
    const { hits, files } = await scan([path]);
    expect(hits.map((hit) => `${hit.value} ${hit.userAgent} ${hit.indicator}`)).toEqual([
      'SO1 null ip 203.0.113.0/24',
      'SO2 python-requests/2.22.0 "quoted" user_agent python-requests/*',
      'SO3 python-requests/2.22.0 user_agent python-requests/*',
    ]);
    expect(hits[2].target).toBe('/api/v2/orders/SO3?q="x"');
    expect(files[0]).toMatchObject({ lines: 3, unparseable: 0, truncated: 0 });
  });

  it('gives a hit for each rule a record is reached through', async () => {
    const path = logFile(lines(line({ target: '/support/orders/lookup?imei=356725740216389' }), line({ target: '/api/v2/orders/SO10000673' })));
    const { hits } = await scan([path]);
    expect(hits.map((hit) => `${hit.rule} ${hit.column}=${hit.value}`)).toEqual(['imei-lookup imei=356725740216389', 'order-api order_id=SO10000673']);
  });

  it('counts a cut last line as truncated, and it exposes nothing', async () => {
    const whole = line({ target: '/api/v2/orders/SO2' });
    const cutInRequest = line({ target: '/api/v2/orders/SO1' }).slice(0, 70);
    const cutBeforeRequest = line({ target: '/api/v2/orders/SO3' }).slice(0, 30);
    for (const mode of ['attacker', 'all'] as const) {
      const path = logFile(`${cutBeforeRequest}\n${whole}\n${cutInRequest}`);
      const { hits, files } = await scan([path], { mode });
      expect(hits.map((hit) => `${hit.line} ${hit.value}`)).toEqual(['2 SO2']);
      expect(files[0]).toMatchObject({ lines: 3, truncated: 2, unparseable: 0 });
    }
  });

  it('counts binary garbage as unparseable and keeps line numbers exact', async () => {
    // A bare request line reads as a client address, ident and user cut short: truncated, as the parser has it.
    const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x20, 0x5b, 0x22, 0x0d, 0x80, 0x1b]);
    const content = Buffer.concat([
      garbage,
      Buffer.from('\n\r\n'),
      Buffer.from(`${line({ target: '/api/v2/orders/SO1' })}\r\n`),
      Buffer.from('GET /api/v2/orders/SO9 HTTP/1.1\n'),
      garbage,
      Buffer.from('\n'),
      Buffer.from(lines(line({ target: '/api/v2/orders/SO2' }))),
    ]);
    for (const mode of ['attacker', 'all'] as const) {
      const { hits, files } = await scan([logFile(content)], { mode });
      expect(hits.map((hit) => `${hit.line} ${hit.value}`)).toEqual(['3 SO1', '6 SO2']);
      expect(files[0]).toMatchObject({ lines: 6, unparseable: 3, truncated: 1 });
    }
  });

  it('reads a 100 KB line, and skips one over the reader limit without losing count', async () => {
    const longAgent = `python-requests/2.22.0 ${'x'.repeat(100_000)}`;
    const path = logFile(
      lines(
        line({ target: '/api/v2/orders/SO1', userAgent: longAgent }),
        line({ target: '/api/v2/orders/SO2', referer: `https://x.example/${'y'.repeat(1_200_000)}` }),
        line({ target: `/api/v2/orders/SO3?pad=${'z'.repeat(100_000)}` }),
      ),
    );
    const { hits, files } = await scan([path]);
    expect(hits.map((hit) => `${hit.line} ${hit.value}`)).toEqual(['1 SO1', '3 SO3']);
    expect(hits[0].userAgent).toBe(longAgent);
    expect(files[0]).toMatchObject({ lines: 3, tooLong: 1 });
  });

  it('reads gzip files, and a truncated one up to where it was cut', async () => {
    const content = lines(...Array.from({ length: 2000 }, (_, i) => (i % 100 === 7 ? line({ target: `/api/v2/orders/SO${i}` }) : customer(`/products/${i}`))));
    const gz = gzipSync(content);
    const plain = await scan([logFile(content)]);
    const whole = await scan([logFile(gz, 'access.log.2.gz')]);
    expect(whole.hits.map(brief)).toEqual(plain.hits.map(brief));
    expect(whole.files[0]).toMatchObject({ lines: 2000, bytes: gz.length, error: null });

    const cut = await scan([logFile(gz.subarray(0, Math.floor(gz.length / 2)), 'cut.log.gz')]);
    expect(cut.files[0].error).toMatch(/^gzip stream truncated after line \d+$/);
    expect(cut.files[0].lines).toBeGreaterThan(0);
    expect(cut.files[0].lines).toBeLessThan(2000);
    expect(cut.hits.map(brief)).toEqual(plain.hits.filter((hit) => hit.line < cut.files[0].lines).map(brief));
  });

  it('numbers hits per file and lists files in the order given', async () => {
    const first = logFile(lines(customer('/'), line({ target: '/api/v2/orders/SO1' })));
    const second = logFile(lines(line({ target: '/api/v2/orders/SO2' })));
    const { hits, files } = await scan([second, first], { parallelism: 2 });
    expect(hits.map((hit) => `${hit.file === first ? 'first' : 'second'} ${hit.line}`)).toEqual(['second 1', 'first 2']);
    expect(files.map((file) => file.file)).toEqual([second, first]);
  });

  it('hashes each file as stored, unless its digest is known', async () => {
    const content = gzipSync(lines(line({ target: '/api/v2/orders/SO1' })));
    const path = logFile(content, 'hashed.log.gz');
    const { files } = await scan([path]);
    expect(files[0].sha256).toBe((await import('node:crypto')).createHash('sha256').update(content).digest('hex'));
    const known = await scan([path], { digests: new Map([[path, 'a'.repeat(64)]]) });
    expect(known.files[0].sha256).toBe('a'.repeat(64));
  });

  it('reports progress up to the total', async () => {
    const path = logFile(lines(...Array.from({ length: 500 }, (_, i) => customer(`/products/${i}`))));
    const reports: [number, number][] = [];
    await scan([path], { pieceBytes: 4096, onProgress: (bytes, total) => reports.push([bytes, total]) });
    const total = reports[0][1];
    expect(reports.at(-1)).toEqual([total, total]);
    expect(reports.every(([bytes], i) => i === 0 || bytes >= reports[i - 1][0])).toBe(true);
  });

  it('refuses missing files, a file given twice, and attacker mode without indicators', async () => {
    const path = logFile(lines(customer('/')));
    await expect(scan([join(dir, 'missing.log')])).rejects.toMatchObject({ code: 'LOG_UNREADABLE', kind: 'invalid' });
    await expect(scan([dir])).rejects.toThrow(/not a file/);
    await expect(scan([path, path.replace(dir, `${dir}/.`)])).rejects.toMatchObject({ code: 'LOG_TWICE' });
    const noIndicators = parseScopeFile(RULES, 'scope.yml');
    await expect(scanLogs([path], noIndicators, attacker)).rejects.toBeInstanceOf(TocsinError);
  });
});

describe('what scanLogs accounts for each file', () => {
  it('spans the earliest and latest request wherever they are in the file, skipped lines and every piece included', async () => {
    const path = logFile(
      lines(
        customer('/cart', '2019-11-05T12:00:00Z'),
        customer('/products/nova-8', '2019-11-20T09:30:00Z'),
        line({ target: '/api/v2/orders/SO1', at: '2019-11-05T10:00:00Z' }),
        customer('/cart', '2019-10-01T00:00:07Z'),
        customer('/cart', '2019-11-06T00:00:00Z'),
      ),
    );
    for (const mode of ['attacker', 'all'] as const) {
      for (const pieceBytes of [Number.MAX_SAFE_INTEGER, 200]) {
        const { files } = await scan([path], { mode, pieceBytes, parallelism: 2 });
        // The first line's and the last line's times would be 12:00 on the 5th and 00:00 on the 6th.
        expect(files[0]).toMatchObject({ lines: 5, parsed: 5, firstTime: Date.parse('2019-10-01T00:00:07Z'), lastTime: Date.parse('2019-11-20T09:30:00Z') });
      }
    }
  });

  it('counts a skipped line with an impossible time as unparseable, and keeps the first bad line with its number in the file', async () => {
    const badTime = customer('/cart').replace('05/Nov/2019', '31/Nov/2019');
    const path = logFile(lines(customer('/cart'), customer('/cart'), badTime, '{"ts": 1}', customer('/cart')));
    for (const pieceBytes of [Number.MAX_SAFE_INTEGER, 150]) {
      const { files } = await scan([path], { pieceBytes, parallelism: 2 });
      expect(files[0]).toMatchObject({ lines: 5, parsed: 3, unparseable: 2, firstUnparsed: { line: 3, reason: 'bad timestamp', excerpt: `${badTime.slice(0, 120)}…` } });
    }
  });
});

describe('scanLogs behind a load balancer', () => {
  const viaBalancer = (forwardedFor: string | null) => line({ ip: '10.0.0.2', target: '/api/v2/orders/SO1', userAgent: BROWSER, forwardedFor });

  it('matches the indicators against the client resolved from X-Forwarded-For, and keeps the peer', async () => {
    const path = logFile(lines(viaBalancer('6.6.6.6, 198.51.100.7'), viaBalancer('198.51.100.7, 91.92.117.197'), viaBalancer(null)));
    const clientAddress = { from: 'x-forwarded-for', trustedProxies: ['10.0.0.0/8'] } as const;
    const { hits } = await scan([path], { clientAddress, mode: 'all' });
    expect(hits.map((hit) => `${hit.line} ${hit.ip} ${hit.peer} ${hit.indicator}`)).toEqual([
      '1 198.51.100.7 10.0.0.2 ip 198.51.100.7',
      // The attacker's address left of a customer's: written by the customer's client, not by a trusted proxy.
      '2 91.92.117.197 10.0.0.2 null',
      '3 10.0.0.2 null null',
    ]);
    // Without the rule every request is the balancer's, and none is the attacker's.
    expect((await scan([path])).hits).toEqual([]);
  });
});

describe('scanLogs on CloudFront logs', () => {
  it('reads a file whole whatever the piece size: its #Fields line says what every later line holds', async () => {
    const entry = (ip: string, stem: string) => ['2019-11-05', '10:00:00', ip, 'GET', stem, '-', '200', 'python-requests/2.22.0'].join('\t');
    const path = logFile(lines('#Version: 1.0', '#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status cs(User-Agent)', ...Array.from({ length: 20 }, (_, i) => entry('203.0.113.9', `/api/v2/orders/SO${i}`))));
    const { hits, files } = await scan([path], { reading: { format: 'cloudfront' }, pieceBytes: 64, parallelism: 2 });
    expect(hits.map((hit) => hit.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    expect(files[0]).toMatchObject({ lines: 22, parsed: 20, unparseable: 0 });
  });
});

describe('scanLogs in mode all', () => {
  it('returns every request that matches a rule, naming the indicator only for the attacker', async () => {
    const path = logFile(
      lines(customer('/api/v2/orders/SO1'), line({ target: '/api/v2/orders/SO2' }), line({ target: '/api/v2/orders/SO3', at: '2019-12-01T00:00:00Z' }), customer('/cart')),
    );
    const { hits } = await scan([path], { mode: 'all' });
    expect(hits.map((hit) => `${hit.value} ${hit.indicator}`)).toEqual(['SO1 null', 'SO2 ip 198.51.100.7', 'SO3 null']);
    const rulesOnly = await scanLogs([path], parseScopeFile(RULES, 'scope.yml'), { reading: { format: 'combined' }, mode: 'all' });
    expect(rulesOnly.hits.map((hit) => hit.indicator)).toEqual([null, null, null]);
  });

  it('streams hits through onHits instead of keeping them', async () => {
    const content = lines(...Array.from({ length: 6000 }, (_, i) => customer(`/api/v2/orders/SO${i}`)));
    const streamed: Hit[] = [];
    const result = await scan([logFile(content)], { mode: 'all', pieceBytes: 64 * 1024, onHits: (hits) => streamed.push(...hits) });
    expect(result.hits).toEqual([]);
    expect(streamed.map((hit) => hit.line).sort((a, b) => a - b)).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
    expect(streamed.every((hit) => hit.value === `SO${hit.line - 1}`)).toBe(true);
  });

  it('hands out each piece only once ready resolves: a slow consumer holds the scan back', async () => {
    const path = logFile(lines(...Array.from({ length: 3000 }, (_, i) => line({ target: `/api/v2/orders/SO${i}` }))));
    // Each call of ready is a gate the test opens; the scan wakes the test when it waits at one, and when it ends.
    const gates: (() => void)[] = [];
    let wake = () => {};
    let hits = 0;
    let finished = false;
    const scanning = scan([path], {
      parallelism: 1,
      pieceBytes: 64 * 1024,
      onHits: (batch) => (hits += batch.length),
      ready: () =>
        new Promise<void>((open) => {
          gates.push(open);
          wake();
        }),
    });
    const settled = scanning.finally(() => {
      finished = true;
      wake();
    });
    /** The gate the scan waits at next; null once it has finished. */
    const nextGate = async (): Promise<(() => void) | null> => {
      while (gates.length === 0 && !finished) await new Promise<void>((resolve) => (wake = resolve));
      return gates.shift() ?? null;
    };

    // One worker: the scan waits at one gate at a time, and between two gates it runs one task
    // (hashing the file, then each piece); a piece's hits are all in by the next gate.
    const hitsAtGate: number[] = [];
    for (let open = await nextGate(); open !== null; open = await nextGate()) {
      expect(gates).toEqual([]);
      hitsAtGate.push(hits);
      if (hitsAtGate.length === 2) {
        // Held at the first piece, the worker ready for it: however long the gate stays shut, nothing is scanned.
        await setTimeout(100);
        expect([gates.length, hits, finished]).toEqual([0, 0, false]);
      }
      open();
    }
    const { files } = await settled;
    const pieces = Math.ceil(files[0].bytes / (64 * 1024));
    // One gate per task, and one more to learn there is none left.
    expect(hitsAtGate).toHaveLength(1 + pieces + 1);
    expect(hitsAtGate.slice(0, 2)).toEqual([0, 0]);
    for (let gate = 2; gate < hitsAtGate.length; gate++) expect(hitsAtGate[gate]).toBeGreaterThan(hitsAtGate[gate - 1]);
    expect([hitsAtGate.at(-1), hits]).toEqual([3000, 3000]);
  });
});

describe('scanLogs on JSON lines', () => {
  const json = (fields: Record<string, unknown>) => JSON.stringify(fields);
  it('reads mapped fields, zones and escapes', async () => {
    const path = logFile(
      lines(
        json({ remote_addr: '203.0.113.5', time_iso8601: '2019-11-05T18:00:00+08:00', request: 'GET /api/v2/orders/SO1 HTTP/1.1', status: '200', remote_user: '', http_user_agent: BROWSER }),
        json({ remote_addr: '91.92.117.197', time_iso8601: '2019-11-05T18:00:00+08:00', request: 'GET /api/v2/orders/SO2 HTTP/1.1', status: 200 }),
        '{"remote_addr":"91.92.117.197","time_iso8601":"2019-11-05T10:00:01Z","request":"GET \\/api\\/v2\\/orders\\/SO3 HTTP/1.1","status":200,"remote_user":"u101027"}',
        json({ remote_addr: '198.51.100.7', time_iso8601: '2019-11-05T10:00:02Z', request: 'GET /support/orders/lookup?imei=1%32 HTTP/1.1', status: 404 }),
        '{"remote_addr":"198.51.100.7","time_iso8601":"2019-11-05T10:00:03Z","request":"GET /api/v2/orders/SO4 HTTP/1.1"',
        'not json at all /api/v2/orders/SO5',
      ),
    );
    const { hits, files } = await scan([path], { reading: { format: 'nginx-json' } });
    expect(hits.map((hit) => `${hit.line} ${hit.value} ${hit.status} ${hit.indicator}`)).toEqual([
      '1 SO1 200 ip 203.0.113.0/24',
      '3 SO3 200 account u101027',
      '4 12 404 ip 198.51.100.7',
    ]);
    expect(files[0]).toMatchObject({ lines: 6, unparseable: 2, firstTime: Date.parse('2019-11-05T10:00:00Z'), lastTime: Date.parse('2019-11-05T10:00:02Z') });
  });
});

describe('scanLogs across byte ranges', () => {
  const pieces = [
    line({ target: '/api/v2/orders/SO1' }),
    line({ target: '/support/orders/lookup?imei=35%361', status: 404 }),
    customer('/api/v2/orders/SO2'),
    customer('/products/nova-8'),
    line({ ip: '2001:db8:bad::1', userAgent: BROWSER, target: '/api/v2/orders/SO3' }),
    '',
    'garbage \u0000 line',
    line({ target: '/api/v2/orders/SO4' }).slice(0, 60),
  ];

  it('numbers lines exactly however the files are split, whatever the parallelism', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(pieces.length - 1), { minLength: 1, maxLength: 80 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 2, max: 4 }),
        fc.constantFrom('attacker', 'all'),
        async (picks, crlf, pieceBytes, parallelism, mode) => {
          const content = picks.map((pick) => pieces[pick]).join(crlf ? '\r\n' : '\n');
          const path = logFile(content);
          const whole = await scan([path], { mode, parallelism: 1, pieceBytes: Number.MAX_SAFE_INTEGER });
          const split = await scan([path], { mode, parallelism, pieceBytes });
          expect(split).toEqual(whole);
          expect(whole.files[0].lines).toBe(content === '' ? 0 : picks.length - (content.endsWith('\n') ? 1 : 0));
        },
      ),
      // Each run starts two pools of worker threads: a few seconds apiece on a loaded machine.
      { numRuns: 15 },
    );
  });
});
