import { describe, expect, test } from 'vitest';
import { buildOrderTable, imei } from './orders.ts';

describe('orders', () => {
  test('IMEIs end in their Luhn check digit', () => {
    expect(imei('49015420', 323751)).toBe('490154203237518');
    expect(imei('35209900', 176148)).toBe('352099001761481');
  });

  test('order numbers run in sequence with a few gaps; each model sells a dense run of serials', () => {
    const table = buildOrderTable(1, 50_000);
    const steps = table.number.slice(1).map((number, i) => number - table.number[i]);
    expect(steps.every((step) => step === 1 || step === 2)).toBe(true);
    expect(steps.filter((step) => step === 2).length / steps.length).toBeLessThan(0.05);
    const serials = Array.from(table.serial).filter((_, i) => table.tac[i] === 0);
    const span = Math.max(...serials) - Math.min(...serials) + 1;
    expect(serials.length / span).toBeGreaterThan(0.5);
    expect(table.customers).toBeGreaterThan(20_000);
    expect(table.customers).toBeLessThan(30_000);
  });
});
