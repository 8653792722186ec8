/**
 * What Meilisearch stores per vacancy, and how documents are cut into requests that stay under the server's
 * payload limit (`--http-payload-size-limit`, 100 MB by default) by their encoded size, not only their number.
 */
import { placesOf, type VacancyDocument } from '../vacancies/vacancy.ts';

/** The document plus derived filter fields. */
export interface MeiliVacancy extends VacancyDocument {
  /** Primary key: the id in base64url, because Meilisearch ids allow only [A-Za-z0-9_-]. */
  key: string;
  kldb1: string | null;
  kldb2: string | null;
  kldb3: string | null;
  kldb4: string | null;
  /** The first place with coordinates: what `_geoPoint` sorts by (Meilisearch sorts by one point only). */
  _geo: { lat: number; lng: number } | null;
  /** Every place with coordinates, only when there are several: `_geoRadius` then matches any of them. */
  _geojson?: { type: 'MultiPoint'; coordinates: Array<[number, number]> };
}

export function toKey(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function fromKey(key: string): string {
  return Buffer.from(key, 'base64url').toString('utf8');
}

export function toMeiliVacancy(doc: VacancyDocument): MeiliVacancy {
  const code = doc.kldbCode;
  const located = placesOf(doc).filter(
    (p): p is typeof p & { lat: number; lon: number } => p.lat !== null && p.lon !== null,
  );
  const first = located[0];
  const meili: MeiliVacancy = {
    ...doc,
    key: toKey(doc.id),
    kldb1: code?.slice(0, 1) ?? null,
    kldb2: code?.slice(0, 2) ?? null,
    kldb3: code?.slice(0, 3) ?? null,
    kldb4: code?.slice(0, 4) ?? null,
    _geo: first ? { lat: first.lat, lng: first.lon } : null,
  };
  // GeoJSON orders coordinates longitude first.
  if (located.length > 1) meili._geojson = { type: 'MultiPoint', coordinates: located.map((p) => [p.lon, p.lat]) };
  return meili;
}

export interface Payload {
  /** The JSON array sent as the request body. */
  json: string;
  /** Encoded size of `json` in bytes. */
  bytes: number;
  docs: MeiliVacancy[];
}

/**
 * Cuts documents into JSON arrays of at most `maxDocs` documents and `maxBytes` bytes each. A single document
 * larger than `maxBytes` still gets a payload of its own: the server decides, and the caller isolates it when it is
 * refused.
 */
export function* payloads(docs: readonly MeiliVacancy[], maxBytes: number, maxDocs: number): Generator<Payload> {
  let parts: string[] = [];
  let batch: MeiliVacancy[] = [];
  // "[" and "]"; each further document adds a comma.
  let bytes = 2;
  for (const doc of docs) {
    const json = JSON.stringify(doc);
    const size = Buffer.byteLength(json, 'utf8') + (parts.length > 0 ? 1 : 0);
    if (parts.length > 0 && (bytes + size > maxBytes || parts.length >= maxDocs)) {
      yield { json: `[${parts.join(',')}]`, bytes, docs: batch };
      parts = [];
      batch = [];
      bytes = 2;
    }
    bytes += Buffer.byteLength(json, 'utf8') + (parts.length > 0 ? 1 : 0);
    parts.push(json);
    batch.push(doc);
  }
  if (parts.length > 0) yield { json: `[${parts.join(',')}]`, bytes, docs: batch };
}
