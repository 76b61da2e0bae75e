import { describe, expect, it } from 'vitest';
import { endpointsIn, normalisedEndpoint, reportKeys } from './duplicates.ts';

describe('the endpoints a report names', () => {
  it('reads URLs and paths standing alone, record ids as :id, without query or trailing slash', () => {
    const text = [
      'GET https://api.shop.example.com/api/aftersales/imei/356938035643809?lang=en returns the order.',
      'Then `POST /API/Orders/1234/refund/` and /account/export.',
      'Also /api/orders/550e8400-e29b-41d4-a716-446655440000/invoice and /files/{id}/download and /cart/:cart_id.',
      'Tokens too: /reset/9f86d081884c7d65 but not a word like /settings/deadbeef.',
    ].join('\n');
    expect(endpointsIn(text)).toEqual([
      '/api/aftersales/imei/:id',
      '/api/orders/:id/refund',
      '/account/export',
      '/api/orders/:id/invoice',
      '/files/:id/download',
      '/cart/:id',
      '/reset/:id',
      '/settings/deadbeef',
    ]);
  });

  it('finds no endpoint in prose with slashes between words, the bare root or a path too long to be a route', () => {
    expect(endpointsIn('read and/or write, 50/50, https://shop.example.com/ and 1/2')).toEqual([]);
    expect(normalisedEndpoint('/')).toBeNull();
    expect(normalisedEndpoint(`/${'a'.repeat(250)}`)).toBeNull();
    expect(normalisedEndpoint('/%E0%A4%A/x')).toBe('/%e0%a4%a/x');
  });

  it('keeps at most 20 endpoints of a report that names hundreds', () => {
    expect(endpointsIn(Array.from({ length: 300 }, (_, i) => `/route${String.fromCharCode(97 + (i % 26))}${i}x`).join(' '))).toHaveLength(20);
  });

  it('compares reports by their endpoints and the band keys of their title, description and steps, not their impact', () => {
    const report = { title: 'IDOR on order lookup', description: 'The after-sales lookup at /api/aftersales/imei/1 returns anyone’s order: name, phone, address and the items bought.', steps: '1. Sign in\n2. Request the lookup with another IMEI', impact: 'See /admin' };
    const keys = reportKeys(report);
    expect(keys.filter((key) => key.kind === 'endpoint').map((key) => key.value)).toEqual(['/api/aftersales/imei/:id', '/admin']);
    expect(keys.filter((key) => key.kind === 'text')).toHaveLength(20);
    const otherImpact = reportKeys({ ...report, impact: 'Completely different words about the harm done to customers of the shop' });
    expect(otherImpact.filter((key) => key.kind === 'text')).toEqual(keys.filter((key) => key.kind === 'text'));
    expect(reportKeys({ title: 'XSS', description: 'short', steps: 'one', impact: 'none' })).toEqual([]);
  });
});
