/**
 * Passwords of people who sign in to the pages (API tokens stay for programs). Argon2id with the library's defaults
 * (OWASP's recommended minimum: 19 MiB, 2 passes), stored as a PHC string, so parameters can be raised later and old
 * hashes still verify.
 */
import { hash, verify } from '@node-rs/argon2';

/** NIST SP 800-63B: at least 8 characters chosen by the person; long passphrases welcome, capped against abuse. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** False for a wrong password and for a stored value that is no valid hash; never throws for either. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** What is wrong with a new password, in German for the form, or null when it may be used. */
export function newPasswordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH)
    return `Das Passwort muss mindestens ${PASSWORD_MIN_LENGTH} Zeichen lang sein.`;
  if (password.length > PASSWORD_MAX_LENGTH)
    return `Das Passwort darf höchstens ${PASSWORD_MAX_LENGTH} Zeichen lang sein.`;
  if (password.trim().length === 0) return 'Das Passwort darf nicht nur aus Leerzeichen bestehen.';
  return null;
}
