/** What ingest counts per batch; recorded on the batch and summed into a crawl run's report. */
export interface IngestStats {
  fetched: number;
  new: number;
  updated: number;
  unchanged: number;
  reopened: number;
  closed: number;
  duplicates: number;
  errors: number;
}

export const emptyIngestStats = (): IngestStats => ({
  fetched: 0,
  new: 0,
  updated: 0,
  unchanged: 0,
  reopened: 0,
  closed: 0,
  duplicates: 0,
  errors: 0,
});
