import { hash, verify, type Options } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/**
 * OWASP's password storage cheat sheet, first argon2id option: 19 MiB, 2 passes, 1 lane.
 * The algorithm is argon2id (2), the library's default, named here so a change of default cannot weaken it.
 */
export const ARGON2_OPTIONS: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** Whether `password` matches `stored` (a PHC string); a malformed hash matches nothing. */
export async function passwordMatches(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time a real check takes, for a sign-in with an unknown email or an account without
 * a password: the answer and its timing are the same as for a wrong password.
 */
export async function spendPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  await passwordMatches(await dummy, password);
  return false;
}
