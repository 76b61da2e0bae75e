import cvssCalculator from 'ae-cvss-calculator';
import { CONTROL_CHARACTERS } from '../lib/control-characters.ts';
import { invalidInput } from '../lib/errors.ts';

// The package is CommonJS: its classes come from the default export.
const { Cvss3P1, Cvss4P0 } = cvssCalculator;

export const CVSS_VERSIONS = ['3.1', '4.0'] as const;
export type CvssVersion = (typeof CVSS_VERSIONS)[number];

/** FIRST's qualitative rating scale, the same for 3.1 and 4.0. */
export type CvssSeverity = 'none' | 'low' | 'medium' | 'high' | 'critical';

export interface CvssScore {
  version: CvssVersion;
  /** The vector as given (its metrics in the order given). */
  vector: string;
  /** The score of every metric given: the base score, or with threat, temporal or environmental metrics, the score they make. */
  score: number;
  severity: CvssSeverity;
}

const CALCULATORS = { '3.1': Cvss3P1, '4.0': Cvss4P0 } as const;

/** The longest vector taken: a 4.0 vector with every metric is under 300 characters. */
const MAX_VECTOR_LENGTH = 512;

/**
 * Scores a CVSS 3.1 or 4.0 vector string. The calculator fills a missing base metric in as "not
 * defined" and scores 0, and takes a metric twice; a vector that would be scored that way is
 * refused here instead, naming the metric, as is an unknown metric or value.
 */
export function scoreCvss(vector: string): CvssScore {
  const text = vector.trim();
  if (text.length > MAX_VECTOR_LENGTH) throw badVector(`${text.length} characters is not a CVSS vector (they are under ${MAX_VECTOR_LENGTH})`);
  const [prefix, ...parts] = text.split('/');
  const version = /^CVSS:(3\.1|4\.0)$/.exec(prefix)?.[1] as CvssVersion | undefined;
  if (version === undefined) throw badVector(`it starts with ${JSON.stringify(shown(prefix))}; a vector starts with CVSS:3.1/ or CVSS:4.0/`);
  const calculator = new CALCULATORS[version]();
  const categories = [...calculator.getRegisteredComponents()];
  const known = new Map(categories.flatMap(([, components]) => components.map((component) => [component.shortName, component] as const)));
  const base = categories.find(([category]) => category.name === 'base')![1].map((component) => component.shortName);
  const given = new Map<string, string>();
  for (const part of parts) {
    const [metric, value, ...rest] = part.split(':');
    const component = known.get(metric);
    if (component === undefined) throw badVector(`${JSON.stringify(shown(metric))} is not a CVSS ${version} metric; they are ${[...known.keys()].join(', ')}`);
    if (given.has(metric)) throw badVector(`metric ${metric} is given twice`);
    const values = component.values.map((option) => option.shortName).filter((option) => !(option === 'X' && base.includes(metric)));
    if (rest.length > 0 || value === undefined || !values.includes(value)) throw badVector(`metric ${metric} has the value ${JSON.stringify(shown(value ?? ''))}; it takes ${values.join(', ')}`);
    given.set(metric, value);
  }
  const missing = base.filter((metric) => !given.has(metric));
  if (missing.length > 0) throw badVector(`the base metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing; CVSS ${version} needs all of ${base.join(', ')}`);
  calculator.applyVector(text);
  const score = calculator.calculateScores().overall;
  return { version, vector: text, score, severity: severityOf(score) };
}

/** The rating of a score (CVSS 3.1 specification §5; CVSS 4.0 specification §6, the same bands). */
export function severityOf(score: number): CvssSeverity {
  if (score === 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

/** What a message quotes of the input: short, and without control characters, which reach a terminal. */
function shown(text: string): string {
  const clean = text.replace(CONTROL_CHARACTERS, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

function badVector(reason: string) {
  return invalidInput('CVSS_INVALID', `not a valid CVSS vector: ${reason}; e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`);
}
