import { invalidInput } from '../lib/errors.ts';
import { parseInstant } from '../lib/time.ts';
import { withCompetentAuthority } from './competent-authority.ts';
import { NOT_LEGAL_ADVICE } from './disclaimer.ts';
import { jurisdictionLine, type JurisdictionLine } from './jurisdiction-line.ts';
import { jurisdictionOf } from './jurisdiction-of.ts';
import { leadAuthority, type ControllerPlace } from './one-stop-shop.ts';
import type { RuleBook } from './rules/load.ts';
import type { JurisdictionRules } from './rules/schema.ts';
import { sectorLine, type SectorLine } from './sector-line.ts';
import type { SubjectGroup } from './subject-group.ts';

export interface AssessInput {
  incident: ControllerPlace & {
    /** When the controller became aware: every clock counts from here. */
    awareAt: string;
    /** Ids of the sector regimes that cover the controller, such as `us-nydfs` or `eu-nis2` (the rule book's `regulators`). */
    regulatedBy?: readonly string[];
    /** ISO 3166-2 region of the controller's establishment (`DE-BY`): names Germany's competent Land authority. */
    controllerRegion?: string | null;
    /** When the breach was assessed (Singapore's 3 days to the PDPC count from it). */
    assessedAt?: string | null;
    /** When the initial report went to each jurisdiction's authority, by code (Brazil's complement counts from it). */
    reportedAt?: Readonly<Record<string, string>>;
  };
  /** Commencement dates the user confirmed, by jurisdiction code, over the ones the rules assume (`IN`: the DPDP Rules). */
  inForceFrom?: Readonly<Record<string, string>>;
  subjects: readonly SubjectGroup[];
  now: Date;
  /** The instant every clock is read at, when not `now`: a past or demo-dated incident seen as it stood then. */
  asOf?: Date;
  rules: RuleBook;
}

export interface Assessment {
  aware_at: string;
  /** When the assessment was made. */
  assessed_at: string;
  /** The instant its clocks were read at: `assessed_at` unless an earlier or later one was asked for. */
  as_of: string;
  lead_authority: { jurisdiction: string; name: string } | null;
  /** One line per jurisdiction where affected people live (plus the lead authority's), by code. */
  lines: JurisdictionLine[];
  /** One line per sector regime the incident names, whoever was affected. */
  sectors: SectorLine[];
  overdue: boolean;
  disclaimer: string;
}

/** Who must be told what, by when, for every place affected people live. Pure: rules and clock come in. */
export function assess(input: AssessInput): Assessment {
  const awareAt = parseInstant(input.incident.awareAt, 'aware-at');
  const { rules } = input;
  const competent = (jurisdiction: JurisdictionRules) => withCompetentAuthority(jurisdiction, input.incident.controllerRegion);
  const leadRules = leadAuthority(input.incident, rules);
  const lead = leadRules && competent(leadRules);

  const groupsByCode = new Map<string, SubjectGroup[]>();
  for (const group of input.subjects) {
    const code = jurisdictionOf(group, rules);
    groupsByCode.set(code, [...(groupsByCode.get(code) ?? []), group]);
  }
  const isEea = (code: string) => rules.rulesFor(code).regime === 'eu-gdpr';
  const eea = [...groupsByCode].filter(([code]) => isEea(code)).flatMap(([, groups]) => groups);
  // The lead authority gets the report even when none of the affected people live in its country.
  if (lead !== null && eea.length > 0 && !groupsByCode.has(lead.jurisdiction)) groupsByCode.set(lead.jurisdiction, []);

  const context = {
    awareAt,
    assessedAt: input.incident.assessedAt ?? null,
    reportedAt: input.incident.reportedAt ?? {},
    inForceFrom: input.inForceFrom ?? {},
    now: input.asOf ?? input.now,
    lead,
    eea,
  };
  const lines = [...groupsByCode]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, groups]) => jurisdictionLine(competent(rules.rulesFor(code)), groups, context));
  const sectors = [...(input.incident.regulatedBy ?? [])].sort().map((id) => {
    const regulator = rules.regulators.get(id);
    if (!regulator) throw invalidInput('UNKNOWN_REGULATOR', `the incident names regulator '${id}', which has no rules file; set the incident's regulated-by to a known id, or none`);
    return sectorLine(id, regulator, input.subjects, context);
  });

  return {
    aware_at: awareAt,
    assessed_at: input.now.toISOString(),
    as_of: (input.asOf ?? input.now).toISOString(),
    lead_authority: lead && { jurisdiction: lead.jurisdiction, name: lead.authority.name },
    lines,
    sectors,
    overdue: [...lines, ...sectors].some((line) => line.overdue),
    disclaimer: NOT_LEGAL_ADVICE,
  };
}
