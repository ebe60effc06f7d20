export const BULK_OPTIONS = Symbol('BULK_OPTIONS');

export interface BulkOptions {
  /** Largest upload, in MiB (BULK_MAX_UPLOAD_MB). */
  maxUploadMb: number;
  /** Folder for uploaded files while their jobs need them (BULK_DIR). */
  dir: string;
  /** Hours an uploaded file is kept after its job ended (for the error report and a later commit). */
  retentionHours: number;
  /** Import jobs one node runs at once (BULK_MAX_JOBS); more are refused with 503. */
  maxJobs: number;
}
