import { describe, expect, it } from 'vitest';
import { uuidV5 } from './stix.ts';

describe('UUIDv5', () => {
  it('matches RFC 4122\'s construction (python.org in the DNS namespace)', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });
});
