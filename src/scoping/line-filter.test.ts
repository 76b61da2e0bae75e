import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCombinedLine, parseCombinedLine } from '../evidence/index.ts';
import { CANDIDATE, combinedLineFilter, CUT, MALFORMED, rawPathPrefix, SKIP } from './line-filter.ts';
import { compileRules } from './request-match.ts';
import { parseScopeFile } from './scope-file.ts';

const { rules } = parseScopeFile(
  `rules:
  - name: imei-lookup
    request: GET /support/orders/lookup?imei=:imei
    exposes: [name]
  - name: order-api
    request: GET /api/v2/orders/:order_id
    exposes: [name]
  - name: by-shop
    request: GET /:shop/café/:order_id
    exposes: [name]
`,
  'scope.yml',
);
const matches = compileRules(rules);

/** A path that may name a rule, each character of it percent-encoded or not, in either case. */
const target = fc
  .tuple(
    fc.constantFrom('/support/orders/lookup', '/api/v2/orders/SO1', '/api/v2/orders/', '/eu/café/SO2', '/products/x', '/support', '/api/v2/orders'),
    fc.constantFrom('', '?imei=356', '?lang=en&imei=1', '?x=%41', '?imei='),
    fc.array(fc.boolean(), { maxLength: 40 }),
    fc.boolean(),
  )
  .map(([path, query, encode, upper]) => {
    let encoded = '';
    for (const [i, byte] of [...Buffer.from(path, 'utf8')].entries()) {
      const hex = byte.toString(16).padStart(2, '0');
      const mustEncode = byte >= 0x80;
      encoded += mustEncode || encode[i] ? `%${upper ? hex.toUpperCase() : hex}` : String.fromCharCode(byte);
    }
    return encoded + query;
  });

describe('combinedLineFilter', () => {
  it('never skips a line that parses and matches a rule', () => {
    const filter = combinedLineFilter(rules);
    fc.assert(
      fc.property(target, fc.constantFrom('GET', 'HEAD', 'POST', ''), fc.constantFrom('203.0.113.7', '2001:db8::1', 'host.example'), (path, method, ip) => {
        const line = Buffer.from(
          formatCombinedLine({ ip, ident: null, user: 'u1', time: 1.5e12, method, target: path, protocol: 'HTTP/1.1', status: 200, bytes: 1, referer: null, userAgent: 'ua', forwardedFor: null }),
        );
        const verdict = filter.classify(line, 0, line.length);
        const parsed = parseCombinedLine(line, 0, line.length);
        if (parsed.ok && matches(parsed.record.method, parsed.record.target).length > 0) expect(verdict).toBe(CANDIDATE);
      }),
    );
  });

  it('skips lines whose path cannot name a rule, and tells malformed lines from cut ones', () => {
    const filter = combinedLineFilter(rules.slice(0, 2));
    const line = (target: string) =>
      formatCombinedLine({ ip: '1.2.3.4', ident: null, user: null, time: 1.5e12, method: 'GET', target, protocol: 'HTTP/1.1', status: 200, bytes: 1, referer: null, userAgent: null, forwardedFor: null });
    // Cut inside a path that might have named a rule: parsed, so that it is counted as truncated.
    const cutInRulePath = line('/api/v2/orders/SO1').slice(0, line('/api/v2/orders/SO1').indexOf('/api/v2/') + 6);
    const cutInOtherPath = line('/static/app.js').slice(0, line('/static/app.js').indexOf('/static/') + 6);
    const verdicts = [
      line('/products/x?q=%41'),
      line('/api/v2/orders/SO1'),
      line('/api/v2/%6Frders/SO1'),
      line('/static/app.js'),
      'garbage',
      '\u0000\u0001 x y',
      line('/x').slice(0, 40),
      cutInRulePath,
      cutInOtherPath,
    ].map(
      (text) => {
        // Each line is a buffer of its own here: a new batch.
        const bytes = Buffer.from(text, 'latin1');
        return filter.classify(bytes, 0, bytes.length);
      },
    );
    expect(verdicts).toEqual([SKIP, CANDIDATE, CANDIDATE, SKIP, CUT, MALFORMED, CUT, CANDIDATE, SKIP]);
  });
});

describe('rawPathPrefix', () => {
  it('stops at the first bound segment and at what a log cannot show as is', () => {
    expect(rules.map((rule) => rawPathPrefix(rule).toString())).toEqual(['/support/orders/lookup', '/api/v2/orders/', '/']);
    const [cafe] = parseScopeFile('rules:\n  - name: a\n    request: GET /caf%C3%A9/x/:id\n    exposes: [name]\n', 's.yml').rules;
    expect(rawPathPrefix(cafe).toString()).toBe('/caf');
  });
});
