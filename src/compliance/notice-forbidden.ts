/**
 * What a notice may be forbidden to say, and how to spot it. The keys are data (rules files name
 * them); the patterns are code because they are regular expressions. They are heuristics that err
 * towards flagging: a human reviews each finding.
 */
export const FORBIDDABLE = ['nature_of_breach', 'affected_count'] as const;
export type Forbiddable = (typeof FORBIDDABLE)[number];

interface Detector {
  /** Template variables that would print the forbidden thing, e.g. `{{ affected_count }}`. */
  variables: readonly string[];
  /** Wording that states it. */
  phrases: readonly RegExp[];
  describe: string;
}

const PEOPLE = String.raw`(?:residents?|people|persons|individuals|customers|consumers|users|accounts|clients|subjects)`;
const QUANTITY = String.raw`(?:\d[\d,.\u00a0 ]*|hundreds|thousands|millions|dozens)`;
const AFFECTED = String.raw`(?:affected|impacted|involved|concerned|exposed|compromised|notified)`;

export const DETECTORS: Record<Forbiddable, Detector> = {
  affected_count: {
    variables: ['affected_count', 'affected_total', 'total_affected', 'subjects_count', 'subject_count', 'total_subjects', 'residents_count', 'residents_affected'],
    phrases: [
      new RegExp(String.raw`\b${QUANTITY}\s+(?:[\w-]+\s+){0,3}?${PEOPLE}\b[^.]{0,40}?\b${AFFECTED}\b`, 'i'),
      new RegExp(String.raw`\b${AFFECTED}\b[^.]{0,30}?\b${QUANTITY}\s+(?:[\w-]+\s+){0,2}?${PEOPLE}\b`, 'i'),
    ],
    describe: 'the number of people affected',
  },
  nature_of_breach: {
    variables: ['nature_of_breach', 'breach_nature', 'breach_description', 'incident_description', 'what_happened', 'breach_cause', 'attack_vector'],
    phrases: [
      /^\s*(?:#+\s*|\*\*)?what happened\b/im,
      /\b(?:attacker|hacker|hacked|hacking|cyber-?attack|malware|ransomware|exploit(?:ed|ing)?|vulnerabilit(?:y|ies)|sql injection|misconfigur(?:ed|ation))\b/i,
      /\bunauthori[sz]ed (?:party|person|third party|individual|actor|access)\b/i,
      /\b(?:was|were|has been|have been) (?:viewed|accessed|stolen|exfiltrated|downloaded|read|copied) by\b/i,
    ],
    describe: 'the nature of the breach (how it happened)',
  },
};
