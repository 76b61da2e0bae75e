// Front door of the bug bounty programme: its policy, security.txt and its signing key, and CVSS scores.
// The CLI and the server import this file, never the files behind it.
export { scoreCvss } from './cvss.ts';
export { BOUNTY_PATHS, bountyOf, policyText, policyView, type PolicyView } from './programme.ts';
export { currentSecurityTxt, keepSecurityTxtSigned } from './security-txt.ts';
export { generateSigningKey, importSigningKey, signingKey, type SigningKeyView, storedPublicKey } from './signing-key.ts';
