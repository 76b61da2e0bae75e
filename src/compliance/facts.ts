import type { Category } from '../domain/index.ts';

/**
 * What Tocsin knows about an incident at one moment: the input of authority reports and of the
 * breach register. Plain data, so the shell gathers it from the database and the core stays pure.
 */
export interface IncidentFacts {
  /** When these facts were gathered; a report is "as of" this instant. */
  as_of: string;
  incident: {
    id: string;
    title: string;
    controller: string | null;
    /** The contact point for the authority: the DPO, or whoever answers its questions. */
    contact_email: string | null;
    occurred_from: string | null;
    occurred_to: string | null;
    discovered_at: string | null;
    aware_at: string;
    contained_at: string | null;
  };
  scope: {
    runs: number;
    subjects: number;
    records: number;
    /** By the jurisdiction codes assess() uses (`FR`, `US-CA`, `ZZ`). */
    by_jurisdiction: readonly { jurisdiction: string; subjects: number; records: number }[];
  };
  categories: { exposed: readonly Category[]; not_exposed: readonly Category[] };
  evidence: readonly { path: string; sha256: string; bytes: number }[];
  notices: { built: number; sent: number; bounced: number };
  /** Authority reports recorded as submitted ('tocsin report --submitted-at'); absent from facts stored before they were recorded. */
  submitted_reports?: readonly { jurisdiction: string; authority: string; submitted_at: string }[];
  /** Measures taken or proposed, in the responder's words; may be empty. */
  measures: readonly string[];
  /**
   * A checkpoint of the audit trail as the report was made (`tocsin audit --checkpoint`'s line),
   * so a copy kept outside Tocsin can later show the trail was not rewritten; or why there is
   * none (a broken trail). Absent from facts stored before reports carried it.
   */
  audit_checkpoint?: string;
}
