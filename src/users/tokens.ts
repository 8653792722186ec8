import { createHash, randomBytes } from 'node:crypto';

/** A bearer token: shown once, stored only as its SHA-256. */
export function generateToken(): string {
  return `jb_${randomBytes(24).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
