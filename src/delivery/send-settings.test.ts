import { describe, expect, it } from 'vitest';
import type { Incident } from '../db/index.ts';
import { messageSender } from './send-settings.ts';

const incident = (contact_email: string | null) => ({ id: 'inc42', controller: 'Example Phone Shop Ltd', contact_email }) as Incident;

describe('messageSender', () => {
  it("names the controller for a bare address, and the incident's contact point for answers, as headers carry them", () => {
    expect(messageSender('notices@Shop.Example.com', incident('DPO@Shop.Example.COM'))).toEqual({
      from: { name: 'Example Phone Shop Ltd', address: 'notices@shop.example.com' },
      fromDomain: 'shop.example.com',
      replyTo: 'DPO@shop.example.com',
    });
    expect(messageSender('Shop <notices@shop.example.com>', incident(null)).replyTo).toBeNull();
  });

  it('refuses a sender or a contact address that is not a mailbox, saying what to do', () => {
    expect(() => messageSender('notices@shop.example.com\r\nBcc: victim@example.org', incident(null))).toThrow(/--from .* is not one address/s);
    expect(() => messageSender('notices@shop.example.com', incident(`dpo@${'a'.repeat(64)}.com`))).toThrow(expect.objectContaining({ code: 'BAD_CONTACT_EMAIL', next: { action: 'update_incident', incident_id: 'inc42', fields: ['contact_email'] } }));
  });
});
