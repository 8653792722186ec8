/**
 * Addresses of the workbench that other layers name: api/app.ts exempts the import upload from its small body limit
 * (the upload has its own, as the API's import route does). No imports here, so naming it creates no cycle.
 */
export const WORKBENCH_IMPORT_PATH = '/app/import';
