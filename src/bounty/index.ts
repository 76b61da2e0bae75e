// Front door of the bug bounty programme: its policy, security.txt and its signing key, and CVSS scores.
// The CLI and the server import this file, never the files behind it.
export { scoreCvss, severityOf, CVSS_VERSIONS, type CvssScore, type CvssSeverity, type CvssVersion } from './cvss.ts';
export { BOUNTY_PATHS, bountyOf, bountyUrls, policyText, policyView, type PolicyView } from './programme.ts';
export { currentSecurityTxt, keepSecurityTxtSigned, type SecurityTxt } from './security-txt.ts';
export { generateSigningKey, importSigningKey, signingKey, type SigningKeyView, storedPublicKey } from './signing-key.ts';
