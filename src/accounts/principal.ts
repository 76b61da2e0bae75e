import type { Role } from './roles.ts';

/** Who a request acts as: an account through its session cookie, or an API token. */
export interface Principal {
  account_id: string;
  /** The account's email; for an API token `token:NAME`. It is the actor recorded in audit trails. */
  email: string;
  role: Role;
  via: 'session' | 'token';
  session_id?: string;
  /** When the session's person signed in (password or passkey): changing how the account signs in asks for a recent sign-in. */
  signed_in_at?: string;
  token_id?: string;
  /** Set when the account must enrol a second factor before it may do anything else (admins require it, or the account was flagged). */
  must_enrol_2fa?: boolean;
}
