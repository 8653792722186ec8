/**
 * The installation id: drawn once per database and kept in `app_meta` for good, so every process of an installation
 * agrees on it and a restored backup keeps it. It names what the installation owns outside its database: the Redis
 * key prefix of its queues (queues/backend.ts), so two installations sharing one Redis never take each other's jobs.
 * A copy of the database (a test system cloned from the live one) carries the same id and must be given its own
 * before it starts next to the original (docs/operations.md, "Several installations on one Redis").
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { appMeta } from './db/schema.ts';

/** The id's row in `app_meta`. */
export const INSTALLATION_ID_KEY = 'installation_id';

/** Twelve hex digits: short enough for every Redis key, and 48 random bits never collide among a city's systems. */
const ID_PATTERN = /^[0-9a-f]{12}$/;

const drawId = () => randomBytes(6).toString('hex');

/** This database's installation id; the first call creates it, and concurrent first calls agree on one. */
export async function installationId(db: Db): Promise<string> {
  await db.insert(appMeta).values({ key: INSTALLATION_ID_KEY, value: drawId() }).onConflictDoNothing();
  const [row] = await db.select({ value: appMeta.value }).from(appMeta).where(eq(appMeta.key, INSTALLATION_ID_KEY));
  if (!row || !ID_PATTERN.test(row.value)) {
    // Only a hand-edited row gets here; a prefix built from it could reach into another installation's keys.
    throw new Error(`app_meta.${INSTALLATION_ID_KEY} is not an installation id (12 hex digits): reset it`);
  }
  return row.value;
}

/**
 * Gives the database a new installation id, for a copy that is to run beside its original. Its queue prefix
 * changes with it: the relays re-derive the pending work from the database under the new one.
 */
export async function resetInstallationId(db: Db): Promise<{ previous: string | undefined; current: string }> {
  const [row] = await db.select({ value: appMeta.value }).from(appMeta).where(eq(appMeta.key, INSTALLATION_ID_KEY));
  const current = drawId();
  await db
    .insert(appMeta)
    .values({ key: INSTALLATION_ID_KEY, value: current })
    .onConflictDoUpdate({ target: appMeta.key, set: { value: current, updatedAt: new Date() } });
  return { previous: row?.value, current };
}
