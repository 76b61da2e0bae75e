/**
 * Staff and researcher accounts: who may sign in, how (password, authenticator app, recovery codes, passkeys,
 * API tokens), what each role may do, and the security log. The CLI and the server use this file only.
 */
export { can, isRole, parseRole, PERMISSIONS, ROLES, type Permission, type Role } from './roles.ts';
export type { Principal } from './principal.ts';
export { RECENT_SIGN_IN_MS, SESSION_COOKIE, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, authenticateSession, logout, logoutEverywhere, requireRecentSignIn, rotateSession } from './sessions.ts';
export { confirmIdentity, login, type LoginInput, type LoginResult } from './login.ts';
export { authenticateBearer, createApiToken, listApiTokens, revokeApiToken, TOKEN_TRUSTED_MS, type ApiTokenView } from './api-tokens.ts';
export {
  accountByEmail,
  addAccount,
  changePassword,
  changeRole,
  disableAccount,
  enableAccount,
  getAccount,
  listAccounts,
  removeSecondFactors,
  resetAccount,
  setPasswordWithLink,
  setTwoFactorRequired,
  twoFactorRequired,
  SET_PASSWORD_LINK_MS,
  type AccountView,
} from './accounts.ts';
export { beginTotpEnrolment, confirmTotpEnrolment, removeTotp, renewRecoveryCodes, type TotpEnrolment } from './totp.ts';
export {
  listPasskeys,
  loginWithPasskey,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  registerPasskey,
  removePasskey,
  type PasskeyView,
} from './passkeys.ts';
export { relyingParty, type RelyingParty } from './webauthn.ts';
export { recordSecurityEvent, securityLog, SECURITY_EVENTS, type SecurityEvent, type SecurityLogRow } from './security-log.ts';
export { API_TOKEN_PREFIX } from './credentials.ts';
export { MIN_PASSWORD_LENGTH } from './password-policy.ts';
export { addressThrottleKey, throttlePolicy, type ThrottlePolicy, type Verdict } from './throttle.ts';
export { ThrottleBook } from './throttle-book.ts';
export { consoleUrl, setPasswordLink } from './set-password-link.ts';
export {
  admitAttempt,
  authenticateResearcher,
  beginResearcherTotp,
  claimTokenHash,
  confirmResearcherTotp,
  issueResearcherLink,
  newClaimToken,
  RESEARCHER_COOKIE,
  researcherLogin,
  removeResearcherSecondFactors,
  researcherLogout,
  requestResearcherReset,
  researcherView,
  resetResearcherPassword,
  signUpResearcher,
  verifyResearcherEmail,
  type ResearcherLinkPurpose,
  type ResearcherPrincipal,
  type ResearcherView,
} from './researchers.ts';
export {
  registerResearcherPasskey,
  researcherLoginWithPasskey,
  researcherPasskeyOptions,
  researcherPasskeySignInOptions,
} from './researcher-passkeys.ts';
