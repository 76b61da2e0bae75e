import { parseInstant } from '../lib/time.ts';
import { NOT_LEGAL_ADVICE } from './disclaimer.ts';
import { jurisdictionLine, type JurisdictionLine } from './jurisdiction-line.ts';
import { jurisdictionOf } from './jurisdiction-of.ts';
import { leadAuthority, type ControllerPlace } from './one-stop-shop.ts';
import type { RuleBook } from './rules/load.ts';
import type { SubjectGroup } from './subject-group.ts';

export interface AssessInput {
  incident: ControllerPlace & {
    /** When the controller became aware: every clock counts from here. */
    awareAt: string;
    /** Ids of the regulators that license the controller, such as `us-nydfs` (the rule book's `regulators`). */
    regulatedBy?: readonly string[];
  };
  subjects: readonly SubjectGroup[];
  now: Date;
  rules: RuleBook;
}

export interface Assessment {
  aware_at: string;
  assessed_at: string;
  lead_authority: { jurisdiction: string; name: string } | null;
  /** One line per jurisdiction where affected people live (plus the lead authority's), by code. */
  lines: JurisdictionLine[];
  overdue: boolean;
  disclaimer: string;
}

/** Who must be told what, by when, for every place affected people live. Pure: rules and clock come in. */
export function assess(input: AssessInput): Assessment {
  const awareAt = parseInstant(input.incident.awareAt, 'aware-at');
  const { rules } = input;
  const lead = leadAuthority(input.incident, rules);

  const groupsByCode = new Map<string, SubjectGroup[]>();
  for (const group of input.subjects) {
    const code = jurisdictionOf(group, rules);
    groupsByCode.set(code, [...(groupsByCode.get(code) ?? []), group]);
  }
  const isEea = (code: string) => rules.rulesFor(code).regime === 'eu-gdpr';
  const eea = [...groupsByCode].filter(([code]) => isEea(code)).flatMap(([, groups]) => groups);
  // The lead authority gets the report even when none of the affected people live in its country.
  if (lead !== null && eea.length > 0 && !groupsByCode.has(lead.jurisdiction)) groupsByCode.set(lead.jurisdiction, []);

  const context = { awareAt, now: input.now, lead, eea, regulatedBy: input.incident.regulatedBy ?? [] };
  const lines = [...groupsByCode]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, groups]) => jurisdictionLine(rules.rulesFor(code), groups, context));

  return {
    aware_at: awareAt,
    assessed_at: input.now.toISOString(),
    lead_authority: lead && { jurisdiction: lead.jurisdiction, name: lead.authority.name },
    lines,
    overdue: lines.some((line) => line.overdue),
    disclaimer: NOT_LEGAL_ADVICE,
  };
}
