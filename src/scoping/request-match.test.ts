import { describe, expect, it } from 'vitest';
import { compileRules } from './request-match.ts';
import { parseScopeFile } from './scope-file.ts';

const { rules } = parseScopeFile(
  `rules:
  - name: imei-lookup
    request: GET /support/orders/lookup?imei=:imei
    exposes: [name, email]
  - name: order-api
    request: GET /api/v2/orders/:order_id
    exposes: [name, payment_card_last4]
    status: [200]
  - name: order-by-imei
    request: GET /api/v2/devices/:imei/order
    exposes: [name]
  - name: two-parts
    request: GET /shop/:region/orders?serial=:imei&key=:order_id
    exposes: [name]
  - name: export-columns
    request: GET /wc/v3/orders/:{Order ID}/notes?sku=:{Lineitem sku/variant & size}
    exposes: [name]
`,
  'scope.yml',
);
const match = compileRules(rules);
const bound = (method: string, target: string) => match(method, target).map(({ rule, column, value }) => `${rule.name} ${column}=${value}`);

describe('compileRules', () => {
  it('binds a path segment and a query parameter', () => {
    expect(bound('GET', '/api/v2/orders/SO10000673')).toEqual(['order-api order_id=SO10000673']);
    expect(bound('GET', '/support/orders/lookup?imei=356725740216389')).toEqual(['imei-lookup imei=356725740216389']);
    expect(bound('GET', '/api/v2/devices/356725740216389/order')).toEqual(['order-by-imei imei=356725740216389']);
  });

  it('binds columns named in braces, whatever their characters but braces', () => {
    expect(bound('GET', '/wc/v3/orders/1042/notes?sku=SKU-7')).toEqual(['export-columns Order ID=1042', 'export-columns Lineitem sku/variant & size=SKU-7']);
  });

  it('decodes percent-encoded paths, names and values', () => {
    expect(bound('GET', '/api/v2/orders/SO%3100%30%30673')).toEqual(['order-api order_id=SO10000673']);
    expect(bound('GET', '/api/v2/%6Frders/SO1')).toEqual(['order-api order_id=SO1']);
    expect(bound('GET', '/support/orders/lookup?%69mei=35%36')).toEqual(['imei-lookup imei=356']);
    expect(bound('GET', '/support/orders/lookup?imei=a+b%2B')).toEqual(['imei-lookup imei=a b+']);
    expect(bound('GET', '/api/v2/orders/%zz%')).toEqual(['order-api order_id=%zz%']);
  });

  it('takes query parameters in any order, ignores others, and needs every bound one', () => {
    expect(bound('GET', '/support/orders/lookup?lang=en&imei=1')).toEqual(['imei-lookup imei=1']);
    expect(bound('GET', '/support/orders/lookup?imei=1&lang=en#top')).toEqual(['imei-lookup imei=1']);
    expect(bound('GET', '/shop/eu/orders?key=SO1&x=y&serial=35')).toEqual(['two-parts region=eu', 'two-parts imei=35', 'two-parts order_id=SO1']);
    expect(bound('GET', '/shop/eu/orders?serial=35')).toEqual([]);
    expect(bound('GET', '/support/orders/lookup?lang=en')).toEqual([]);
    expect(bound('GET', '/support/orders/lookup?imei=')).toEqual([]);
    expect(bound('GET', '/support/orders/lookup')).toEqual([]);
  });

  it('binds every value of a parameter given twice', () => {
    expect(bound('GET', '/support/orders/lookup?imei=1&imei=2')).toEqual(['imei-lookup imei=1', 'imei-lookup imei=2']);
  });

  it('matches the method exactly: HEAD and POST are not GET', () => {
    expect(bound('HEAD', '/api/v2/orders/SO1')).toEqual([]);
    expect(bound('POST', '/api/v2/orders/SO1')).toEqual([]);
    expect(bound('get', '/api/v2/orders/SO1')).toEqual([]);
  });

  it('needs the whole path: no extra, missing or empty segments', () => {
    expect(bound('GET', '/api/v2/orders/')).toEqual([]);
    expect(bound('GET', '/api/v2/orders/SO1/items')).toEqual([]);
    expect(bound('GET', '/api/v2/orders')).toEqual([]);
    expect(bound('GET', '/api/v2/ordersX/SO1')).toEqual([]);
    expect(bound('GET', '/support/orders/lookupX?imei=1')).toEqual([]);
  });

  it('reads absolute-form targets by their path, and nothing else', () => {
    expect(bound('GET', 'https://shop.example.com/api/v2/orders/SO1?x=1')).toEqual(['order-api order_id=SO1']);
    expect(bound('GET', 'https://shop.example.com')).toEqual([]);
    expect(bound('GET', '*')).toEqual([]);
    expect(bound('GET', '')).toEqual([]);
  });
});
