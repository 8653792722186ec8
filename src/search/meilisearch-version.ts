/**
 * Which Meilisearch servers the adapter accepts. German compound splitting (`localizedAttributes` "deu") is done
 * by charabia's German segmenter, whose behaviour changed in the server: up to v1.24 (charabia ≤ 0.9.7) it chopped
 * words it did not know into single letters, which broke typo, prefix and umlaut queries; v1.25 stopped that, and
 * v1.28 (charabia 0.9.9) also splits a compound that starts with an unknown part. Every release since v1.28
 * segments the same way, so that is the minimum; an index built by another segmenter must be rebuilt.
 */

/** The oldest server whose German segmentation the contract suite and docs/search-engine.md describe. */
export const MIN_MEILISEARCH_VERSION = '1.28.0';

type Version = readonly [number, number, number];

/** "1.28.0", "v1.28.0-rc.1" → [1, 28, 0]; undefined for anything else. */
export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function isAtLeast(version: Version, minimum: Version): boolean {
  for (let i = 0; i < 3; i++) {
    if (version[i] !== minimum[i]) return (version[i] as number) > (minimum[i] as number);
  }
  return true;
}

/** Refuses a server older than the minimum, or one whose version cannot be read, with what to do about it. */
export function checkServerVersion(pkgVersion: string): void {
  const version = parseVersion(pkgVersion);
  const minimum = parseVersion(MIN_MEILISEARCH_VERSION) as Version;
  if (!version) {
    throw new Error(`Meilisearch reports version "${pkgVersion}", which is not a version number; cannot check it`);
  }
  if (!isAtLeast(version, minimum)) {
    throw new Error(
      `Meilisearch ${pkgVersion} is too old: this service needs ${MIN_MEILISEARCH_VERSION} or newer, because older ` +
        'servers split German words differently (unknown words into single letters), which breaks typo, prefix ' +
        'and umlaut queries. Upgrade Meilisearch, then run `jobbruecke reindex`.',
    );
  }
}
