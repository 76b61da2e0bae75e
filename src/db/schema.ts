import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { NoticeRules } from '../compliance/index.ts';
import type { JobKind, JobState, NoticeState } from '../domain/index.ts';

/** Instants are ISO 8601 UTC strings with milliseconds on both dialects: they sort as text. */
export type Instant = string;

export interface IncidentsTable {
  id: string;
  title: string;
  occurred_from: Instant | null;
  occurred_to: Instant | null;
  discovered_at: Instant | null;
  aware_at: Instant;
  contained_at: Instant | null;
  closed_at: Instant | null;
  controller: string | null;
  /** ISO 3166-1 country of the controller. */
  controller_country: string | null;
  /** ISO 3166-2 region of the controller's establishment (`DE-BY`): in Germany it names the competent Land authority. */
  controller_region: string | null;
  /** ISO country of its main establishment in the EU/EEA, when it has one: that decides the lead authority. */
  eu_establishment: string | null;
  /** Ids of the regulators that license the controller, sorted and comma-separated (`us-nydfs`); see regulatorsOf. */
  regulated_by: string | null;
  /** When the breach was assessed: Singapore's 3 days to the PDPC count from it. */
  assessed_at: Instant | null;
  /** When the initial report went to each authority, `CODE=instant` sorted and comma-separated (`BR=…,eu-dora=…`); see reportsOf. */
  reported_at: string | null;
  contact_email: string | null;
  /** A phone number customers can call, printed beside the contact email. */
  contact_phone: string | null;
  /** The company that owns the controller, when one does: Massachusetts notices name it. */
  controller_parent: string | null;
  /** Whether a law enforcement investigation delayed the notices, as recorded: California notices say so. */
  law_enforcement_delay: 'yes' | 'no' | null;
  /** The identity theft protection or credit monitoring offered free of charge: all three or none. */
  protection_provider: string | null;
  protection_enrolment: string | null;
  protection_months: number | null;
  locale: string;
  created_at: Instant;
  updated_at: Instant;
  /** The newest audit entry's number and hash, so removing entries from the tail is caught too. */
  audit_seq: number;
  audit_hash: string;
  /** The first entry keyed with the audit key; those before it (made before migration 0009) have plain SHA-256 hashes. */
  audit_keyed_from: number;
  /** HMAC of the head (incident, seq, hash, keyed_from) under the audit key: the trail's length cannot be cut without it. */
  audit_mac: string;
}

export interface AuditLogTable {
  incident_id: string;
  seq: number;
  at: Instant;
  actor: string;
  action: string;
  /** JSON: what the entry is about, e.g. `{"changes": {"title": {"before": …, "after": …}}}`. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface ImportsTable {
  id: number;
  incident_id: string;
  at: Instant;
  path: string;
  sha256: string;
  bytes: number;
  /** JSON: the resolved column mapping (key, subject, locale…, column → category). */
  mapping: string;
  rows_read: number;
  imported: number;
  quarantined: number;
  subjects: number;
}

export interface RecordsTable {
  incident_id: string;
  key: string;
  /** The normalized email: one subject per person. */
  subject: string;
  /** The email as the shop wrote it, to send to. */
  email: string;
  locale: string | null;
  country: string | null;
  region: string | null;
  /** JSON: category → value, only for mapped columns. */
  fields: string;
  /** The categories `fields` has a value for, as a mask of categoryBit. */
  held: number;
  import_id: number;
  line: number;
}

/** Values of the columns rules bind (`:imei`), so a request's value finds its records. */
export interface RecordLookupsTable {
  incident_id: string;
  column_name: string;
  value: string;
  key: string;
  import_id: number;
}

export interface QuarantineTable {
  incident_id: string;
  import_id: number;
  path: string;
  line: number;
  reason: string;
}

export interface ScopeRunsTable {
  incident_id: string;
  run: number;
  at: Instant;
  rules_path: string;
  rules_sha256: string;
  /** The rules file as it was read: a run can be explained after the file changed. */
  rules: string;
  log_format: string;
  attacker_requests: number;
  affected: number;
  exposed_records: number;
  /** Exposing requests whose bound value matched no record. */
  unknown_values: number;
  /** Of those, the requests whose value was a record's that a purge deleted. */
  purged_requests: number;
  /** JSON array: when the purges they reached were made; null when none. */
  purged_at: string | null;
  /** Quarantined import rows whose values the attacker read: people missing from the affected list. */
  quarantined_rows: number;
}

export interface EvidenceTable {
  incident_id: string;
  run: number;
  path: string;
  sha256: string;
  bytes: number;
  /** The file's modification time when read: with its size, what lets a later run trust its hash. */
  modified_at: Instant;
  lines: number;
  unparseable: number;
  truncated: number;
  too_long: number;
  first_time: Instant | null;
  last_time: Instant | null;
  error: string | null;
}

/**
 * One affected subject of one run, with their exposures: what `tocsin affected` lists and
 * notices are built from. Times and the count are over every request that revealed one of
 * their records.
 */
export interface AffectedTable {
  incident_id: string;
  run: number;
  subject: string;
  first_access: Instant;
  last_access: Instant;
  requests: number;
  /** JSON array of the keys of the records the attacker read. */
  records: string;
  /** Mask of the categories the revealing requests exposed (records/categories.ts). */
  exposed: number;
  /** Mask of the categories the subject's records hold that nothing exposed. */
  not_exposed: number;
  /** Their country when the run was made, as notices take it (db/person-country.ts): what the API filters by. */
  country: string | null;
  /** How to address them when the run was made (db/person-addressing.ts): the API's list reads these rows alone. */
  email: string | null;
  name: string | null;
  locale: string | null;
  region: string | null;
  /** All of the above as the API's list sends the person (db/affected-person-json.ts): a page joins these texts. */
  person_json: string;
}

/** A purge of the records of people a scope run did not find affected. */
export interface PurgesTable {
  incident_id: string;
  /** 1, 2, 3… per incident. */
  purge: number;
  at: Instant;
  /** The scope run whose unaffected people were purged. */
  run: number;
  records: number;
  subjects: number;
  /** Unaffected people whose records were kept because they already have a notice. */
  kept_with_notice: number;
}

/** A value rules can bind (a record key, a looked-up column's value) of a purged record, as a keyed hash (purged-values.ts). */
/** A keyed hash of a value a quarantined row could be read by (see 0017_quarantined_values). */
export interface QuarantinedValuesTable {
  incident_id: string;
  import_id: number;
  line: number;
  value_hash: string;
}

export interface PurgedValuesTable {
  incident_id: string;
  value_hash: string;
  purge: number;
}

/** One attacker request that reached one record: the file and line behind an exposure. */
export interface ExposureEvidenceTable {
  incident_id: string;
  run: number;
  subject: string;
  record_key: string;
  rule: string;
  path: string;
  line: number;
  at: Instant;
  /** Method and target as logged. */
  request: string;
  status: number | null;
  /** 1 when the status exposed the record, 0 for a 404/429… that revealed nothing. */
  exposes: number;
  /** The client's address: the peer's, or the one resolved from X-Forwarded-For. */
  ip: string | null;
  /** The connecting peer's address as logged, when the client's was resolved to another. */
  peer: string | null;
  indicator: string;
}

/** A revealing request of a scope run whose bound value named no record (see migration 0014). */
export interface UnknownReadsTable {
  incident_id: string;
  run: number;
  /** The request's hit within the run: a request binding two unknown values has two. */
  hit: number;
  rule: string;
  column_name: string;
  value: string;
  path: string;
  line: number;
  at: Instant;
  request: string;
  status: number | null;
  ip: string | null;
  peer: string | null;
  indicator: string;
  /** The purge that deleted the record this value named, when one did. */
  purge: number | null;
  /** The quarantined row (import and line) this value belongs to, when one does. */
  quarantine_import: number | null;
  quarantine_line: number | null;
}


/** Which templates a notice is written with, as the jurisdiction rules files name them (`notice.variant`). */
export type NoticeVariant = NoticeRules['variant'];

/** One message to one subject. Its code is derived from the secret key at send time, never stored. */
export interface NoticesTable {
  incident_id: string;
  subject: string;
  /** 1, 2, 3… per incident, in build order: part of the deterministic Message-ID. */
  seq: number;
  /** The scope run the notice was built from. */
  run: number;
  /** The address to write to, as the shop has it. */
  email: string;
  locale: string;
  /** The template variant the reader's jurisdiction requires: `us-ma` leaves out what Massachusetts forbids. */
  variant: NoticeVariant;
  /** JSON: the notice's variables except the code (name, exposed, not exposed, dates, contact). */
  vars: string;
  /** Of the templates the notice was checked against: sending refuses changed templates. */
  templates_sha256: string;
  code_hash: string;
  code_subject_hash: string;
  state: NoticeState;
  attempts: number;
  /** When a deferred notice may be tried again. */
  next_attempt_at: Instant | null;
  /** The sender process that holds a notice in `sending`. */
  claimed_by: string | null;
  claimed_at: Instant | null;
  /** The SMTP server's last reply, or the transport's error. */
  last_reply: string | null;
  message_id: string | null;
  sent_at: Instant | null;
  created_at: Instant;
  updated_at: Instant;
}

/** A report made for an authority: the facts it stated, so a complementary report can say what changed. */
/** An incident's story in one locale; a null part takes the templates' default (see src/incidents/narrative.ts). */
export interface IncidentNarrativesTable {
  incident_id: string;
  locale: string;
  /** Paragraphs separated by a blank line. */
  what_happened: string | null;
  what_we_did: string | null;
  what_we_are_doing: string | null;
  what_you_can_do: string | null;
  updated_at: Instant;
}

/** A report to a jurisdiction's authority, recorded as submitted: what lets a notice say "we have reported". */
export interface AuthoritySubmissionsTable {
  incident_id: string;
  jurisdiction: string;
  submitted_at: Instant;
  recorded_at: Instant;
}

/** A section of the authority reports a person wrote, in one report language (`tocsin report sections --set`). */
export interface ReportSectionsTable {
  incident_id: string;
  /** A report section's key: `consequences`, `measures`, … */
  section: string;
  /** The report language it is written in: `en`, `fr`, … */
  locale: string;
  text: string;
  updated_at: Instant;
  updated_by: string;
}

export interface AuthorityReportsTable {
  incident_id: string;
  jurisdiction: string;
  phase: 'initial' | 'complementary';
  at: Instant;
  /** JSON: the IncidentFacts the report was made from. */
  facts: string;
}

/** A process sending an incident's notices. It renews its lease; the notices a dead one left in `sending` are taken over. */
export interface SendersTable {
  /** `host/pid/random`: what notices.claimed_by names. */
  id: string;
  incident_id: string;
  host: string;
  pid: number;
  started_at: Instant;
  heartbeat_at: Instant;
  /** Its per-domain throttles as of heartbeat_at (JSON, delivery/throttle-snapshot.ts); null before its first heartbeat. */
  throttle: string | null;
}

/**
 * Scratch tables of one scope run: TEMP (one connection's own), made at the start of the run's
 * transaction and dropped before it commits. The attacker's requests stream in while the logs
 * are scanned; exposures are then worked out by SQL over them, not in memory.
 */
export interface ScopeHitsTable {
  /** 1, 2, 3… in the order the hits arrive. */
  id: number;
  /** One per log line: a request binding two values gives two hits with one request id. */
  request_id: number;
  file_no: number;
  line: number;
  at: Instant;
  /** Method and target as logged. */
  request: string;
  status: number | null;
  exposes: number;
  rule: string;
  column_name: string;
  value: string;
  ip: string | null;
  peer: string | null;
  indicator: string;
}

export interface ScopeFilesTable {
  file_no: number;
  path: string;
}

/** What each rule exposes, as a mask of categoryBit. */
export interface ScopeRulesTable {
  rule: string;
  exposes: number;
}

/** A hit resolved to a record it named (one hit may name several records, or none). */
export interface ScopeReadsTable {
  hit_id: number;
  record_key: string;
  subject: string;
}

/** The records a purge deletes: a TEMP table of its transaction (purge.ts). */
export interface PurgeKeysTable {
  key: string;
  subject: string;
}

/** A staff member. The email is normalised (normalizeEmail); the password an argon2id PHC string. */
export interface AccountsTable {
  id: string;
  email: string;
  role: string;
  password_hash: string | null;
  password_set_at: Instant | null;
  disabled_at: Instant | null;
  /** 1 when the account must enrol a second factor before it may do anything else. */
  must_enrol_2fa: number;
  /** The confirmed TOTP secret, encrypted (secret-box.ts); the pending one awaits its first code. */
  totp_secret: string | null;
  totp_pending_secret: string | null;
  /** The last TOTP time step accepted: a code is good once. */
  totp_last_step: number | null;
  created_at: Instant;
  updated_at: Instant;
}

/** One-time links to set a password: the token's keyed hash, never the token. */
export interface SetPasswordLinksTable {
  token_hash: string;
  account_id: string;
  created_at: Instant;
  expires_at: Instant;
  used_at: Instant | null;
}

export interface SessionsTable {
  id: string;
  /** Keyed hash of the cookie's token. */
  token_hash: string;
  account_id: string;
  address: string;
  created_at: Instant;
  /** Idle expiry counts from here. */
  last_seen_at: Instant;
  /** Absolute expiry, fixed at login. */
  expires_at: Instant;
}

export interface ApiTokensTable {
  id: string;
  token_hash: string;
  name: string;
  role: string;
  created_by: string;
  created_at: Instant;
  last_used_at: Instant | null;
  revoked_at: Instant | null;
}

export interface RecoveryCodesTable {
  account_id: string;
  code_hash: string;
  used_at: Instant | null;
}

/** A WebAuthn credential: its id and COSE public key in base64url. */
export interface PasskeysTable {
  id: string;
  account_id: string;
  public_key: string;
  counter: number;
  /** JSON array of transports the authenticator named. */
  transports: string;
  created_at: Instant;
  last_used_at: Instant | null;
}

export interface WebauthnChallengesTable {
  challenge: string;
  /** Whose ceremony: a staff account's (`register`, `authenticate`) or a researcher's (`researcher_…`). */
  purpose: 'register' | 'authenticate' | 'researcher_register' | 'researcher_authenticate';
  /** The account or researcher registering; null for a sign-in, where the passkey names its holder. */
  account_id: string | null;
  expires_at: Instant;
}

/** Failed sign-ins per account (keyed hash of the email) and per client address. */
export interface LoginThrottlesTable {
  key: string;
  failures: number;
  last_failure_at: Instant;
  locked_until: Instant | null;
}

export interface AccountSettingsTable {
  name: string;
  value: string;
}

/** Sign-ins, failures, lockouts, role and factor changes, tokens: never a password, code or token. */
export interface SecurityLogTable {
  id: Generated<number>;
  at: Instant;
  event: string;
  account_id: string | null;
  actor: string;
  address: string | null;
  /** JSON: plain facts about the event (the new role, a token's name). */
  details: string;
}


/** Long work queued for the server or a `tocsin worker` (src/jobs). JSON columns are text. */
export interface JobsTable {
  id: string;
  kind: JobKind;
  incident_id: string | null;
  /** JSON: the checked parameters (never a password). */
  params: string;
  state: JobState;
  /** JSON: `{done, total, stage?}`. */
  progress: string | null;
  /** JSON: what the service returned. */
  result: string | null;
  /** JSON: `{code, message}`. */
  error: string | null;
  /** Who enqueued it: the handler acts, and audits, as them. */
  actor: string;
  created_at: Instant;
  started_at: Instant | null;
  finished_at: Instant | null;
  updated_at: Instant;
  cancel_requested_at: Instant | null;
  /** The worker holding it while running: `host/pid/random`, with its host and pid apart. */
  worker: string | null;
  worker_host: string | null;
  worker_pid: number | null;
  /** The lease: another worker takes the job over after this instant. */
  locked_until: Instant | null;
  /** Claims not ended by a clean release: a job that took down this many workers fails. */
  attempts: number;
}

/** A suspicious message a customer reported through the portal: its bytes as sent, for the phishing desk. */
export interface PhishingReportsTable {
  /** What the reporter was shown: `R-XXXX-XXXX-XXXX`. */
  reference: string;
  received_at: Instant;
  /** `imported` by `tocsin phishing import` or its route; `smtp` and `imap` through the reporting mailbox; the others through the portal. */
  received_as: 'file' | 'message' | 'pasted' | 'imported' | 'smtp' | 'imap';
  size: number;
  sha256: string;
  /** The address the reporter gave for an answer, if any. */
  reply_to: string | null;
  /** Opaque: never rendered, parsed or fetched from on the way in. */
  message: Uint8Array;
  /** Staff's call (src/phishing/triage.ts): new until someone triages it. */
  triage: Generated<string>;
  triaged_at: Instant | null;
  triaged_by: string | null;
  /** The language to answer the reporter in; null: the portal's default. */
  locale: string | null;
  /** When the reporter was answered with the verdict; null: not (yet), or no address to answer. */
  replied_at: Instant | null;
}

/** Where the poll of one IMAP mailbox stopped. */
export interface PhishingMailboxCursorsTable {
  mailbox: string;
  uid_validity: number | string;
  last_uid: number | string;
  updated_at: Instant;
}

/** The last answer the portal sent to an address (keyed hash of the normalised address): one a day at most. */
export interface PortalAnsweredTable {
  address_hash: string;
  answered_at: Instant;
  job_id: string;
}

/** An answer the portal sent to "Was I affected?": its code as notices keep theirs, for /verify. */
export interface PortalAnswersTable {
  /** Keyed hash of the code with the normalised address (codeSubjectHash). */
  code_subject_hash: string;
  sent_at: Instant;
  /** The answer's subject line, for the reader to compare (it holds no personal data). */
  subject: string;
  locale: string;
}

/** Lookups counted in fixed windows, per client address (`address:…`, an IPv6 /64) and in all (`global`). */
export interface PortalLookupCountsTable {
  key: string;
  window_start: Instant;
  count: number;
}

/** A published incident page: its public address and what it says, as it was when published (see migration 0024). */
export interface PortalPagesTable {
  incident_id: string;
  slug: string;
  published_at: Instant;
  /** JSON: the page's content in every locale (src/portal/incident-page.ts, PageContent). */
  content: string;
}

/**
 * An incident's notice set as last built, and its approval under the four-eyes rule: a build
 * replaces the row, clearing the approval. `built_by` is null for a set built before Tocsin
 * recorded builders.
 */
export interface NoticeSetsTable {
  incident_id: string;
  built_by: string | null;
  built_at: Instant;
  approved_by: string | null;
  approved_at: Instant | null;
}

/** The questions and answers an incident page shows in one locale: Markdown, one heading per question. */
export interface PortalFaqsTable {
  incident_id: string;
  locale: string;
  source: string;
  updated_at: Instant;
}

/** The bug bounty's OpenPGP key (migration 0028): the private key armored and encrypted with a passphrase derived from the installation's secret. */
export interface BountySigningKeysTable {
  slot: string;
  fingerprint: string;
  public_key: string;
  private_key: string;
  source: 'generated' | 'imported';
  created_at: string;
}

/** The signed security.txt as served, and when it was signed and expires. */
export interface BountySecurityTxtTable {
  slot: string;
  body: string;
  fields_sha256: string;
  fingerprint: string;
  signed_at: string;
  expires_at: string;
}

/** A bug bounty researcher (migration 0032): not staff, never in accounts. */
export interface BountyResearchersTable {
  id: string;
  email: string;
  /** The language of the pages and mails they chose at sign-up. */
  locale: string;
  password_hash: string;
  /** Null until the link mailed at sign-up is used: an unverified researcher cannot sign in. */
  email_verified_at: Instant | null;
  /** Sealed as staff's are (secret-box.ts). */
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: number | null;
  created_at: Instant;
  updated_at: Instant;
}

/** The links mailed to researchers, to verify their address or reset their password: keyed hashes, one use, until expires_at. */
export interface BountyResearcherLinksTable {
  token_hash: string;
  researcher_id: string;
  purpose: 'verify' | 'reset';
  created_at: Instant;
  expires_at: Instant;
  used_at: Instant | null;
}

/** A researcher's passkey (migration 0038), kept as staff's are (PasskeysTable). */
export interface BountyResearcherPasskeysTable {
  id: string;
  researcher_id: string;
  public_key: string;
  counter: number;
  transports: string;
  created_at: Instant;
  last_used_at: Instant | null;
}

/** A researcher's recovery codes (migration 0038): keyed hashes, each good once. */
export interface BountyResearcherRecoveryCodesTable {
  researcher_id: string;
  code_hash: string;
  used_at: Instant | null;
}

export interface BountyResearcherSessionsTable {
  id: string;
  token_hash: string;
  researcher_id: string;
  address: string;
  created_at: Instant;
  last_seen_at: Instant;
  expires_at: Instant;
}

/**
 * The claim of a report sent by email (migration 0039): the sender's address until the reply with
 * the claim link is sent or given up, the link token's keyed hash, and the researcher who claimed it.
 */
export interface BountyReportClaimsTable {
  report_reference: string;
  reply_to: string | null;
  locale: string;
  token_hash: string | null;
  attempts: number;
  /** Held by the sender that took the reply, until then; after a failure, when it is tried again. */
  sending_until: Instant | null;
  replied_at: Instant | null;
  claimed_at: Instant | null;
  claimed_by: string | null;
  created_at: Instant;
}

export interface BountyReportsTable {
  /** `B-` and 12 base32 symbols in groups of four: what the researcher and the team call it. */
  reference: string;
  /** Null for a report sent by email (bounty.report_address, migration 0039), which no researcher has claimed. */
  researcher_id: string | null;
  /** An asset's name from the policy's scope, as it was when submitted. */
  asset: string;
  /** `CWE-79`. */
  weakness: string;
  title: string;
  /** Markdown, shown rendered without raw HTML. */
  description: string;
  steps: string;
  impact: string;
  /** The researcher's CVSS vector, kept as given; the triager's, when set, is the one that counts. */
  researcher_cvss: string;
  triager_cvss: string | null;
  state: string;
  /** The report this one duplicates, when closed as a duplicate. */
  duplicate_of: string | null;
  submitted_at: Instant;
  state_changed_at: Instant;
}

export interface BountyAttachmentsTable {
  id: string;
  report_reference: string;
  /** As the researcher named it: shown, and put in Content-Disposition encoded, never as a path. */
  filename: string;
  /** Told from the bytes, never from the name or what the browser claimed. */
  content_type: string;
  size: number;
  sha256: string;
  bytes: Buffer;
}

export interface BountyCommentsTable {
  id: Generated<number>;
  report_reference: string;
  at: Instant;
  author_kind: 'researcher' | 'team';
  /** The researcher's or the staff member's address: the researcher is shown "the security team" for the latter. */
  author: string;
  /** 1: an internal note, which the researcher never sees. */
  internal: number;
  body: string;
}

export interface BountyReportEventsTable {
  id: Generated<number>;
  report_reference: string;
  at: Instant;
  actor: string;
  event: string;
  from_state: string | null;
  to_state: string | null;
  /** JSON of plain facts: a duplicate's original, a CVSS vector. */
  details: string;
}

/** A report's reward (migration 0036): whole units of the currency; changed until paid. */
export interface BountyAwardsTable {
  report_reference: string;
  amount: number;
  bonus: number;
  currency: string;
  awarded_at: Instant;
  awarded_by: string;
  /** When the team recorded it paid (the payment itself happens outside Tocsin). */
  paid_at: Instant | null;
  paid_by: string | null;
}

/** A warning that a report's response target is close (migration 0036): one per report and target. */
export interface BountySlaWarningsTable {
  report_reference: string;
  /** `first_response`, `triage`, `bounty` or `resolution`. */
  target: string;
  due_at: Instant;
  warned_at: Instant;
  /** When the triage team's mail was accepted; empty until then (tried again each round). */
  mailed_at: Instant | null;
}

/** A report's coordinated disclosure (migration 0036). */
export interface BountyDisclosuresTable {
  report_reference: string;
  requested_by: 'researcher' | 'team';
  requested_at: Instant;
  researcher_agreed_at: Instant | null;
  team_agreed_at: Instant | null;
  deadline_at: Instant;
  /** The team's redacted title and Markdown text: all the public listener ever shows of the report. */
  public_title: string | null;
  public_text: string | null;
  published_at: Instant | null;
}

/** Mails to researchers, written with the change they tell of and sent by sendBountyMails. */
export interface BountyMailsTable {
  id: string;
  researcher_id: string;
  kind: string;
  /** JSON: what the mail's words are filled with (a reference, a state, a link's token until sent). */
  params: string;
  created_at: Instant;
  /** A sender holds it until then; another may take it after (a sender that died). */
  claimed_until: Instant | null;
  attempts: number;
  sent_at: Instant | null;
}

/** What a report is compared by to find the earlier reports it may duplicate (migration 0037). */
export interface BountyReportKeysTable {
  report_reference: string;
  /** `endpoint`: a URL path the report names, normalised (`/api/orders/:id`); `text`: an LSH band key of its text. */
  kind: 'endpoint' | 'text';
  value: string;
}

/** A report confirmed as "personal data reachable", linked to its incident (migration 0037). */
export interface BountyBreachLinksTable {
  report_reference: string;
  incident_id: string;
  /** When the team confirmed it: the incident's awareness, unless the incident was aware earlier. */
  confirmed_at: Instant;
  confirmed_by: string;
  /** When the researcher submitted the report. */
  report_submitted_at: Instant;
  /** 1 when the link created the incident, 0 when it joined one. */
  created_incident: number;
}

/** The phishing desk's analysis of a report (src/phishing). */
export interface PhishingAnalysesTable {
  reference: string;
  analyzed_at: Instant;
  verdict: string;
  score: number;
  /** JSON: the whole analysis (reasons, authentication, look-alikes, leaked fields). */
  analysis: string;
}

export interface PhishingBaitBuildsTable {
  incident_id: string;
  built_at: Instant;
  last_import: number;
  records: number;
  /** The incident's last purge when built (0: none). */
  last_purge: Generated<number>;
  /** JSON: the countries of the incident's people, to read their phone numbers as. */
  countries: Generated<string>;
}

/** Reports clustered as one attacker's wave (src/phishing/campaigns.ts). */
export interface PhishingCampaignsTable {
  id: string;
  first_seen: Instant;
  last_seen: Instant;
  report_count: number;
  verdict: string;
  sample_reference: string | null;
  sample_score: number;
  /** The campaign this one was merged into, when a report joined them. */
  merged_into: string | null;
}

export interface PhishingCampaignKeysTable {
  key: string;
  kind: string;
  campaign_id: string;
  first_seen: Instant;
}

export interface PhishingCampaignReportsTable {
  reference: string;
  campaign_id: string;
}

/** Keyed hashes of normalised tokens of affected people's values; never the values. */
export interface PhishingBaitTokensTable {
  hash: string;
  incident_id: string;
  field: string;
}

export interface Tables {
  incidents: IncidentsTable;
  audit_log: AuditLogTable;
  imports: ImportsTable;
  records: RecordsTable;
  record_lookups: RecordLookupsTable;
  quarantine: QuarantineTable;
  scope_runs: ScopeRunsTable;
  evidence: EvidenceTable;
  affected: AffectedTable;
  exposure_evidence: ExposureEvidenceTable;
  unknown_reads: UnknownReadsTable;
  notices: NoticesTable;
  notice_sets: NoticeSetsTable;
  senders: SendersTable;
  authority_reports: AuthorityReportsTable;
  report_sections: ReportSectionsTable;
  incident_narratives: IncidentNarrativesTable;
  authority_submissions: AuthoritySubmissionsTable;
  purges: PurgesTable;
  purged_values: PurgedValuesTable;
  quarantined_values: QuarantinedValuesTable;
  scope_hits: ScopeHitsTable;
  scope_files: ScopeFilesTable;
  scope_rules: ScopeRulesTable;
  scope_reads: ScopeReadsTable;
  purge_keys: PurgeKeysTable;
  accounts: AccountsTable;
  set_password_links: SetPasswordLinksTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  login_throttles: LoginThrottlesTable;
  account_settings: AccountSettingsTable;
  security_log: SecurityLogTable;
  jobs: JobsTable;
  phishing_reports: PhishingReportsTable;
  portal_answered: PortalAnsweredTable;
  portal_answers: PortalAnswersTable;
  portal_lookup_counts: PortalLookupCountsTable;
  portal_pages: PortalPagesTable;
  portal_faqs: PortalFaqsTable;
  bounty_signing_keys: BountySigningKeysTable;
  bounty_security_txt: BountySecurityTxtTable;
  phishing_analyses: PhishingAnalysesTable;
  phishing_bait_builds: PhishingBaitBuildsTable;
  phishing_bait_tokens: PhishingBaitTokensTable;
  phishing_campaigns: PhishingCampaignsTable;
  phishing_campaign_keys: PhishingCampaignKeysTable;
  phishing_campaign_reports: PhishingCampaignReportsTable;
  phishing_mailbox_cursors: PhishingMailboxCursorsTable;
  bounty_researchers: BountyResearchersTable;
  bounty_researcher_links: BountyResearcherLinksTable;
  bounty_researcher_sessions: BountyResearcherSessionsTable;
  bounty_researcher_passkeys: BountyResearcherPasskeysTable;
  bounty_researcher_recovery_codes: BountyResearcherRecoveryCodesTable;
  bounty_reports: BountyReportsTable;
  bounty_attachments: BountyAttachmentsTable;
  bounty_comments: BountyCommentsTable;
  bounty_report_events: BountyReportEventsTable;
  bounty_mails: BountyMailsTable;
  bounty_report_keys: BountyReportKeysTable;
  bounty_breach_links: BountyBreachLinksTable;
  bounty_awards: BountyAwardsTable;
  bounty_sla_warnings: BountySlaWarningsTable;
  bounty_disclosures: BountyDisclosuresTable;
  bounty_report_claims: BountyReportClaimsTable;
}

export type Incident = Selectable<IncidentsTable>;
export type NewIncident = Insertable<IncidentsTable>;
export type IncidentUpdate = Updateable<IncidentsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
