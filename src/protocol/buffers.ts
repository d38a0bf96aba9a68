/**
 * The editor's unsaved buffers (issue 14): the host tells the engine what its dirty documents hold, so
 * search and chat see the code as the user sees it. The CLI never sends this (it reads the disk).
 */

/** `buffers/sync` params: buffers whose text changed, and buffers saved, reverted or closed (the disk is true again). */
export interface BuffersSyncParams {
  /** Absolute paths with their current (unsaved) text. */
  dirty: Array<{ path: string; text: string }>;
  /** Absolute paths whose unsaved text no longer applies. */
  clean: string[];
}

export interface BuffersSyncResult {
  /** Unsaved buffers the engine now holds. */
  buffers: number;
}

export interface BufferRequests {
  'buffers/sync': { params: BuffersSyncParams; result: BuffersSyncResult };
}
