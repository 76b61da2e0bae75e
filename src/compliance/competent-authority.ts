import type { JurisdictionRules } from './rules/schema.ts';

/**
 * The rules with the authority competent for this controller. Where a country splits supervision by
 * region (Germany: the Land where the controller is established, § 40 BDSG), the incident's region picks
 * the authority, and the first note says why; without a region, the file's default stands.
 */
export function withCompetentAuthority(rules: JurisdictionRules, controllerRegion: string | null | undefined): JurisdictionRules {
  const regional = rules.regional_authorities;
  const authority = controllerRegion ? regional?.by_region[controllerRegion] : undefined;
  if (!regional || !authority) return rules;
  return {
    ...rules,
    authority: { ...rules.authority, ...authority },
    notes: [`${authority.name} is competent because the controller is established in ${controllerRegion}: ${regional.basis}`, ...rules.notes],
  };
}
