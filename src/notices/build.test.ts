import { describe, expect, it } from 'vitest';
import { requireCreditMonitoring } from './build.ts';

describe('requireCreditMonitoring', () => {
  const incident = (protection_months: number | null) => ({ id: 'inc42', protection_months });

  it("refuses a Massachusetts notice to someone whose SSN leaked without 18 months of credit monitoring recorded, naming what to set", () => {
    for (const months of [null, 12]) {
      expect(() => requireCreditMonitoring(incident(months), 'us-ma', ['name', 'national_id'])).toThrow(
        expect.objectContaining({
          code: 'NOTICE_OFFER_MISSING',
          kind: 'conflict',
          next: { action: 'update_incident', incident_id: 'inc42', fields: ['protection_provider', 'protection_enrolment', 'protection_months'] },
        }),
      );
    }
    expect(() => requireCreditMonitoring(incident(18), 'us-ma', ['name', 'national_id'])).not.toThrow();
  });

  it('leaves alone Massachusetts notices without an SSN, and other variants', () => {
    expect(() => requireCreditMonitoring(incident(null), 'us-ma', ['name', 'email'])).not.toThrow();
    expect(() => requireCreditMonitoring(incident(null), 'us-ca', ['name', 'national_id'])).not.toThrow();
  });
});
