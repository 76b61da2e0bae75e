import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, httpStatusOf, TocsinError, type NextStep } from '../lib/errors.ts';
import { commandLine, withNextStep } from './next-step.ts';

describe('next steps', () => {
  it('words every next step as the command line that takes it', () => {
    const steps: [NextStep, string][] = [
      [{ action: 'list_incidents' }, 'tocsin incident list'],
      [{ action: 'update_incident', incident_id: 'k7', fields: ['occurred_from', 'contact_email'] }, 'tocsin incident update k7 --occurred-from … --contact-email …'],
      [{ action: 'set_narrative', incident_id: 'k7', locale: 'fr-FR' }, 'tocsin incident update k7 --narrative-file fr-FR=FILE'],
      [{ action: 'import_records', incident_id: 'k7' }, 'tocsin import k7 FILE'],
      [{ action: 'scope', incident_id: 'k7' }, 'tocsin scope k7 --rules scope.yml --logs FILE…'],
      [{ action: 'list_unknown', incident_id: 'k7' }, 'tocsin unknown k7'],
      [{ action: 'build_notices', incident_id: 'k7' }, 'tocsin notices build k7 --shop-address ADDRESS'],
      [{ action: 'check_templates', incident_id: 'k7' }, 'tocsin templates check k7'],
      [{ action: 'approve_notices', incident_id: 'k7' }, 'tocsin notices approve k7 --as PRIVACY_OFFICER_EMAIL'],
      [{ action: 'send_notices', incident_id: 'k7' }, 'tocsin send k7 --from ADDRESS'],
      [{ action: 'assess', incident_id: 'k7' }, 'tocsin assess k7'],
      [{ action: 'make_report', incident_id: 'k7', jurisdiction: 'FR' }, 'tocsin report k7 --jurisdiction FR'],
      [{ action: 'list_report_sections', incident_id: 'k7', locale: 'fr' }, 'tocsin report sections k7 --locale fr'],
      [{ action: 'verify_audit', incident_id: 'k7' }, 'tocsin audit k7 --verify'],
      [{ action: 'checkpoint_audit', incident_id: 'k7' }, 'tocsin audit k7 --checkpoint'],
      [{ action: 'database_status' }, 'tocsin db status'],
      [{ action: 'list_accounts' }, 'tocsin user list'],
      [{ action: 'list_api_tokens' }, 'tocsin token list'],
      [{ action: 'list_jobs' }, 'tocsin jobs list'],
      [{ action: 'generate_bounty_key' }, 'tocsin bounty key generate'],
    ];
    for (const [step, line] of steps) expect(commandLine(step), step.action).toBe(line);
  });

  it('puts the command after the first line of the message, before a list of problems', () => {
    const next: NextStep = { action: 'check_templates', incident_id: 'k7' };
    expect(withNextStep('the templates have 2 problems; fix them:\n- one\n- two', next)).toBe("the templates have 2 problems; fix them ('tocsin templates check k7'):\n- one\n- two");
    expect(withNextStep('no incident; the list shows the ids', { action: 'list_incidents' })).toBe("no incident; the list shows the ids ('tocsin incident list')");
    expect(withNextStep('plain', undefined)).toBe('plain');
  });
});

describe('error kinds', () => {
  it('maps each kind to one HTTP status', () => {
    expect(Object.fromEntries(ERROR_KINDS.map((kind) => [kind, httpStatusOf(kind)]))).toEqual({
      invalid: 400,
      not_found: 404,
      conflict: 409,
      forbidden: 403,
      unauthenticated: 401,
      unavailable: 503,
      too_large: 413,
      unsupported_media: 415,
      throttled: 429,
      failed: 500,
    });
  });

  it('crosses a thread as data and comes back the same', () => {
    const error = new TocsinError('NO_NOTICES', 'incident k7 has no notices yet; build them first', { kind: 'conflict', next: { action: 'build_notices', incident_id: 'k7' } });
    const back = TocsinError.fromData(structuredClone(error.toData()));
    expect(back).toBeInstanceOf(TocsinError);
    expect(back.toData()).toEqual({ code: 'NO_NOTICES', kind: 'conflict', message: 'incident k7 has no notices yet; build them first', next: { action: 'build_notices', incident_id: 'k7' } });
    expect(new TocsinError('X', 'y', { kind: 'invalid' }).toData()).toEqual({ code: 'X', kind: 'invalid', message: 'y' });
    const throttled = new TocsinError('THROTTLED', 'wait 4 s', { kind: 'throttled', retry_after: 4 });
    expect(TocsinError.fromData(structuredClone(throttled.toData())).toData()).toEqual({ code: 'THROTTLED', kind: 'throttled', message: 'wait 4 s', retry_after: 4 });
  });
});
