import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OpenContext } from '../src/context.ts';
import { auditTrail } from '../src/incidents/audit.ts';
import { createIncident, getIncident, listIncidents, updateIncident } from '../src/incidents/incidents.ts';
import { describeEachDatabase } from './helpers/databases.ts';

describeEachDatabase('incidents', (database) => {
  let ctx: OpenContext;
  let clock = new Date('2026-01-05T10:00:00Z');
  beforeAll(async () => {
    ctx = await database().context({ now: () => clock, actor: 'dpo' });
  });
  afterAll(() => ctx?.close());

  it('creates an incident with a short id, normalized instants and a first audit entry', async () => {
    const incident = await createIncident(ctx, {
      title: 'Orders read',
      aware_at: '2019-11-14T17:00:00+01:00',
      occurred_from: '2019-10-30T00:00:00Z',
      contact_email: 'dpo@shop.example',
    });
    expect(incident.id).toMatch(/^[0-9a-hjkmnp-tv-z]{6}$/);
    expect(incident.aware_at).toBe('2019-11-14T16:00:00.000Z');
    expect(incident.locale).toBe('en');
    expect(await getIncident(ctx, incident.id.toUpperCase())).toEqual(incident);

    const [entry] = await auditTrail(ctx, incident.id);
    expect(entry).toMatchObject({ seq: 1, actor: 'dpo', action: 'incident.created', at: '2026-01-05T10:00:00.000Z' });
    expect(JSON.parse(entry.details).changes.aware_at).toEqual({ before: null, after: '2019-11-14T16:00:00.000Z' });
  });

  it('records before and after of each changed field, and nothing when nothing changed', async () => {
    const { id } = await createIncident(ctx, { title: 'Second', aware_at: '2019-11-14T16:00:00Z', controller: 'Shop Ltd' });
    clock = new Date('2026-01-06T08:00:00Z');
    const { incident, changed } = await updateIncident(ctx, id, { contained_at: '2019-11-15T00:00:00Z', controller: null, title: 'Second' });
    expect(changed.sort()).toEqual(['contained_at', 'controller']);
    expect(incident).toMatchObject({ controller: null, contained_at: '2019-11-15T00:00:00.000Z', updated_at: '2026-01-06T08:00:00.000Z' });

    const again = await updateIncident(ctx, id, { contained_at: '2019-11-15T01:00:00+01:00' });
    expect(again.changed).toEqual([]);

    const trail = await auditTrail(ctx, id);
    expect(trail.map((entry) => entry.action)).toEqual(['incident.created', 'incident.updated']);
    expect(JSON.parse(trail[1].details).changes).toEqual({
      contained_at: { before: null, after: '2019-11-15T00:00:00.000Z' },
      controller: { before: 'Shop Ltd', after: null },
    });
  });

  it('lists incidents newest first', async () => {
    clock = new Date('2027-01-01T00:00:00Z');
    const newest = await createIncident(ctx, { title: 'Newest', aware_at: '2020-01-01T00:00:00Z' });
    const listed = await listIncidents(ctx);
    expect(listed[0].id).toBe(newest.id);
    expect(listed.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses bad input with coded errors and changes nothing', async () => {
    const { id } = await createIncident(ctx, { title: 'Strict', aware_at: '2019-11-14T16:00:00Z' });
    await expect(createIncident(ctx, { title: 'x', aware_at: '2019-11-14 16:00' })).rejects.toMatchObject({ code: 'BAD_INCIDENT_FIELD', kind: 'invalid', message: expect.stringContaining('time zone') });
    await expect(updateIncident(ctx, id, { occurred_from: '2019-12-01T00:00:00Z', occurred_to: '2019-11-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'BAD_INCIDENT_FIELD',
    });
    await expect(updateIncident(ctx, id, { title: null as unknown as string })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(getIncident(ctx, 'nope00')).rejects.toMatchObject({ code: 'INCIDENT_NOT_FOUND', kind: 'not_found', next: { action: 'list_incidents' } });
    expect(await auditTrail(ctx, id)).toHaveLength(1);
  });

  it('records what notices say of the shop and its offer: a phone, a parent company, the law enforcement fact, a whole protection offer', async () => {
    const { id } = await createIncident(ctx, { title: 'Offer', aware_at: '2019-11-14T16:00:00Z' });
    const { incident, changed } = await updateIncident(ctx, id, {
      contact_phone: ' +1 (800) 555-0199 ',
      controller_parent: 'Example Holdings Inc.',
      law_enforcement_delay: 'no',
      protection_provider: 'Example Identity Guard',
      protection_enrolment: 'call 1-800-555-0142 with the code EXAMPLE-42',
      protection_months: '24' as unknown as number, // as the CLI gives it
    });
    expect(changed.sort()).toEqual(['contact_phone', 'controller_parent', 'law_enforcement_delay', 'protection_enrolment', 'protection_months', 'protection_provider']);
    expect(incident).toMatchObject({ contact_phone: '+1 (800) 555-0199', law_enforcement_delay: 'no', protection_months: 24 });
    const [, entry] = await auditTrail(ctx, id);
    expect(JSON.parse(entry.details).changes.protection_provider).toEqual({ before: null, after: 'Example Identity Guard' });

    const refused = [
      [{ contact_phone: 'call me' }, 'contact-phone: not a phone number'],
      [{ controller_parent: 'Holdings\r\nBcc: x@ev.il' }, 'controller-parent: must be one line of text'],
      [{ law_enforcement_delay: 'maybe' }, "law-enforcement-delay: answer 'yes' or 'no'"],
      [{ protection_months: 0 }, 'protection-months: give at least 1 month'],
      [{ protection_provider: null }, 'a protection offer needs its provider, how to enrol and its months; set --protection-provider too'],
    ] as const;
    for (const [changes, message] of refused) {
      await expect(updateIncident(ctx, id, changes as never), message).rejects.toMatchObject({ code: 'BAD_INCIDENT_FIELD', kind: 'invalid', message: expect.stringContaining(message) });
    }
    await expect(createIncident(ctx, { title: 'Half', aware_at: '2019-11-14T16:00:00Z', protection_provider: 'Guard' })).rejects.toMatchObject({
      message: expect.stringContaining('set --protection-enrolment and --protection-months too'),
    });
    const { incident: cleared } = await updateIncident(ctx, id, { protection_provider: null, protection_enrolment: null, protection_months: null });
    expect(cleared).toMatchObject({ protection_provider: null, protection_enrolment: null, protection_months: null, contact_phone: '+1 (800) 555-0199' });
  });
});
