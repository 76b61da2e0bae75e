import { describe, expect, it } from 'vitest';
import { TocsinError } from '../lib/errors.ts';
import { addSuspectToIndicators } from './scope-file-indicators.ts';
import { parseScopeFile } from './scope-file.ts';

const RULES = `# The shop's order lookup
rules:
  - name: order-api
    request: GET /api/v2/orders/:order_id
    exposes: [name, email]
`;

const suspect = { ip: '198.51.100.7', userAgent: 'python-requests/2.22.0', account: null, firstSeen: Date.parse('2019-10-30T08:00:00.250Z'), lastSeen: Date.parse('2019-11-13T23:59:59.500Z') };

function refusal(run: () => unknown): TocsinError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TocsinError);
    return error as TocsinError;
  }
  throw new Error('accepted');
}

describe('addSuspectToIndicators', () => {
  it('adds an indicators block to a file without one, keeping the file as written', () => {
    const edited = addSuspectToIndicators(RULES, suspect);
    expect(edited.startsWith(RULES)).toBe(true);
    expect(parseScopeFile(edited, 'scope.yml').indicators).toEqual({
      ips: ['198.51.100.7'],
      userAgents: ['python-requests/2.22.0'],
      accounts: [],
      from: Date.parse('2019-10-30T08:00:00Z'),
      until: Date.parse('2019-11-13T23:59:59.999Z'),
    });
  });

  it('appends to the lists once, keeps comments, and widens the window but never narrows it', () => {
    const text = `${RULES}indicators:
  ips: ["203.0.113.0/24"] # the first wave
  accounts: ["007"]
  from: 2019-11-01T00:00:00Z
  until: 2019-12-01T00:00:00Z
`;
    const once = addSuspectToIndicators(text, { ...suspect, userAgent: null, account: '007' });
    const twice = addSuspectToIndicators(once, { ...suspect, userAgent: null, account: '007' });
    expect(twice).toBe(once);
    expect(once).toContain('# the first wave');
    expect(parseScopeFile(once, 'scope.yml').indicators).toEqual({
      ips: ['203.0.113.0/24', '198.51.100.7'],
      userAgents: [],
      accounts: ['007'],
      from: Date.parse('2019-10-30T08:00:00Z'),
      until: Date.parse('2019-12-01T00:00:00.999Z'),
    });
  });

  it('refuses a file with problems, naming their lines, and a suspect with nothing to add', () => {
    const broken = refusal(() => addSuspectToIndicators(`${RULES}    status: [abc]\n`, suspect));
    expect(broken.code).toBe('SCOPE_FILE_INVALID');
    expect(broken.message).toMatch(/line 6: rules\[0\]\.status\[0\]: 'abc' is not an HTTP status code/);
    expect(refusal(() => addSuspectToIndicators(RULES, { ...suspect, ip: null, userAgent: null })).code).toBe('SUSPECT_EMPTY');
    expect(refusal(() => addSuspectToIndicators(RULES, { ...suspect, ip: 'not-an-address' })).code).toBe('SUSPECT_INVALID');
  });
});
