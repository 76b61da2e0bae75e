import { sql, type Expression, type RawBuilder } from 'kysely';
import type { Dialect } from './connect.ts';

/** How to address a person, as read from their records: each value an SQL expression. */
export interface PersonAddressing {
  /** The email as the shop wrote it on their most recently imported record. */
  email: RawBuilder<string | null>;
  /** The first line of the name on their newest record that has one (a billing name before a shipping one). */
  name: RawBuilder<string | null>;
  locale: RawBuilder<string | null>;
  region: RawBuilder<string | null>;
}

/**
 * How to address a person, each value from the most recently imported of their records that has
 * one, as notices and the affected list take it. `incidentId` and `subject` name the person, from
 * the outer query. Scope runs store it on each affected row (0034 filled in the rows stored
 * before), so that a page of the list reads the affected rows alone.
 */
export function personAddressing(dialect: Dialect, incidentId: Expression<string>, subject: Expression<string>): PersonAddressing {
  const latest = (value: RawBuilder<unknown>, where: RawBuilder<unknown>) =>
    sql<string | null>`(SELECT ${value} FROM records r
      WHERE r.incident_id = ${incidentId} AND r.subject = ${subject} AND ${where}
      ORDER BY r.import_id DESC, r.line DESC LIMIT 1)`;
  const name = dialect === 'sqlite' ? sql<string | null>`json_extract(r.fields, '$.name')` : sql<string | null>`(r.fields::json ->> 'name')`;
  const firstLine = dialect === 'sqlite' ? sql`substr(${name}, 1, instr(${name} || char(10), char(10)) - 1)` : sql`split_part(${name}, chr(10), 1)`;
  return {
    email: latest(sql`r.email`, sql`1 = 1`),
    name: latest(firstLine, sql`${name} <> ''`),
    locale: latest(sql`r.locale`, sql`r.locale IS NOT NULL`),
    region: latest(sql`r.region`, sql`r.region IS NOT NULL`),
  };
}
