import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { invalidInput } from '../lib/errors.ts';

/** NIST SP 800-63B (rev. 4) and OWASP: at least 15 characters without a second factor, 8 with one; Tocsin asks 12 of everyone, as the issue sets. */
export const MIN_PASSWORD_LENGTH = 12;
/** Long enough for any passphrase, short enough that hashing one is no denial of service. */
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn's 0–4: 3 is "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_SCORE = 3;

/**
 * Throws an invalid-input error saying what is wrong with `password` for the account `email`: too
 * short or long, the email's local part inside it, or guessable (common and breached-looking
 * passwords, names, keyboard walks, dates: zxcvbn with its common and English dictionaries).
 */
export async function checkPassword(password: string, email: string): Promise<void> {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) throw weak(`a password needs at least ${MIN_PASSWORD_LENGTH} characters; this one has ${length}. A few unrelated words make a long one easy to remember`);
  if (length > MAX_PASSWORD_LENGTH) throw weak(`a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  const local = email.slice(0, email.lastIndexOf('@')).toLowerCase();
  if (local.length >= 3 && password.toLowerCase().includes(local)) throw weak('the password contains the account\'s email name; choose one that does not');
  const result = (await estimator()).check(password, [email, local, 'tocsin']);
  if (result.score < MIN_SCORE) {
    const why = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
    throw weak(`the password is too easy to guess${why ? ` (${why.replace(/\.?$/, '')})` : ''}; choose a longer, less common one`);
  }
}

function weak(message: string) {
  return invalidInput('WEAK_PASSWORD', message);
}

/** The estimator and its dictionaries (several MB) are loaded on first use, not by every command. */
let loaded: Promise<ZxcvbnFactory> | undefined;

function estimator(): Promise<ZxcvbnFactory> {
  loaded ??= (async () => {
    const [{ ZxcvbnFactory }, common, english] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new ZxcvbnFactory({
      translations: english.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...english.dictionary },
    });
  })();
  return loaded;
}
