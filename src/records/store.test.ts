import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, type Category } from './categories.ts';
import { fieldsJson } from './store.ts';

describe('fieldsJson', () => {
  it('writes what JSON.stringify writes, whatever the values hold', () => {
    const fields = fc.dictionary(fc.constantFrom(...CATEGORIES), fc.string({ unit: 'binary', minLength: 1 }));
    fc.assert(
      fc.property(fields, (value) => {
        const record = value as Partial<Record<Category, string>>;
        expect(fieldsJson(record)).toBe(JSON.stringify(record));
      }),
    );
  });

  it('writes an empty object for a record without fields', () => {
    expect(fieldsJson({})).toBe('{}');
  });
});
