/** Why a backup or restore was not made: one line for the operator, and nothing was written. */
export class BackupRefused extends Error {}
