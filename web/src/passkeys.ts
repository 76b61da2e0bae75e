import { api, ApiError } from './api.ts';

// Staff passkeys in the browser. The browser's own WebAuthn JSON methods (parse…FromJSON, toJSON)
// carry the server's options and the authenticator's answer, as the researchers' passkey.js does:
// no base64url conversions of our own.

/** Why a passkey could not be used, in words the console has (errors.tsx shows them). */
export type PasskeyProblem = 'unsupported' | 'host' | 'cancelled' | 'exists' | 'unknown' | 'failed';

export class PasskeyError extends Error {
  readonly problem: PasskeyProblem;
  constructor(problem: PasskeyProblem, detail = '') {
    super(detail || problem);
    this.problem = problem;
  }
}

/** Whether this page can use passkeys: 'host' when it was reached by IP address, which WebAuthn refuses as a relying party. */
export function passkeySupport(): 'ok' | PasskeyProblem {
  if (typeof PublicKeyCredential === 'undefined' || typeof PublicKeyCredential.parseRequestOptionsFromJSON !== 'function' || !window.isSecureContext) return 'unsupported';
  return /^(\d+\.){3}\d+$|^\[/.test(window.location.hostname) ? 'host' : 'ok';
}

/** The browser's refusals by name: the person cancelled or took too long, the device holds one already, the page's address cannot have passkeys. */
function browserProblem(error: unknown): PasskeyError {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') return new PasskeyError('cancelled');
  if (name === 'InvalidStateError') return new PasskeyError('exists');
  if (name === 'SecurityError') return new PasskeyError('host');
  if (name === 'NotSupportedError') return new PasskeyError('unsupported');
  return new PasskeyError('failed', name || String(error));
}

/** Asks the server for a ceremony's options, then the browser for its answer, as the JSON the server takes. */
async function ceremony<O>(options: () => Promise<{ options: O }>, browserStep: (options: O) => Promise<Credential | null>) {
  const support = passkeySupport();
  if (support !== 'ok') throw new PasskeyError(support);
  const asked = await options();
  try {
    const credential = await browserStep(asked.options);
    if (!(credential instanceof PublicKeyCredential)) throw new PasskeyError('failed');
    // WebAuthn's JSON, which the server's schema checks only in outline (@simplewebauthn checks the rest); the DOM's typing has `type` a string.
    return credential.toJSON() as unknown as { id: string; type: 'public-key'; response: Record<string, unknown> };
  } catch (error) {
    throw error instanceof PasskeyError ? error : browserProblem(error);
  }
}

/** Makes a passkey for the signed-in person on this device and adds it to their account (the server renews the session's cookie). */
export async function addPasskey() {
  const credential = await ceremony(
    () => api('POST', '/api/session/passkeys/options'),
    (options) => navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options as PublicKeyCredentialCreationOptionsJSON) }),
  );
  return api('POST', '/api/session/passkeys', { body: { credential } });
}

/** Signs in with a passkey of this device: no email asked, the passkey names its account. */
export async function signInWithPasskey() {
  const credential = await ceremony(
    () => api('POST', '/api/session/passkey/options'),
    (options) => navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options as PublicKeyCredentialRequestOptionsJSON) }),
  );
  try {
    return await api('POST', '/api/session/passkey', { body: { credential } });
  } catch (error) {
    // Not "the email or password is wrong": no email or password was given.
    if (error instanceof ApiError && error.code === 'LOGIN_FAILED') throw new PasskeyError('unknown');
    throw error;
  }
}
