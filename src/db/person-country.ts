import { sql, type Expression, type RawBuilder } from 'kysely';

/**
 * A person's country as notices take it (the most recently imported of their records that names
 * one), written as the API filters it: trimmed, in capitals, null when blank. `incidentId` and
 * `subject` name the person, from the outer query. Scope runs store it on each affected row
 * (0021_affected_country filled in the rows stored before), read from the subject index alone (0026).
 */
export function personCountry(incidentId: Expression<string>, subject: Expression<string>): RawBuilder<string | null> {
  return sql<string | null>`(SELECT NULLIF(UPPER(TRIM(r.country)), '') FROM records r
    WHERE r.incident_id = ${incidentId} AND r.subject = ${subject} AND r.country IS NOT NULL
    ORDER BY r.import_id DESC, r.line DESC LIMIT 1)`;
}
