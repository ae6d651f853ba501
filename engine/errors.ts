// One error type for everything the engine rejects, so the CLI, the daemon and the editor can
// show a clear message (with file and line where there is one) instead of a stack trace.

export type OctetErrorCode =
  | 'shape-mismatch'
  | 'non-finite'
  | 'bits-out-of-range'
  | 'k-too-large'
  | 'invalid-argument'
  | 'file-not-found'
  | 'malformed-file'
  | 'unsupported'
  | 'training-diverged'
  | 'cancelled';

export interface ErrorLocation {
  file?: string;
  /** 1-based line, for text files. */
  line?: number;
  /** JSON path or column name, for structured inputs. */
  field?: string;
}

export class OctetError extends Error {
  readonly code: OctetErrorCode;
  readonly location: ErrorLocation;

  constructor(code: OctetErrorCode, message: string, location: ErrorLocation = {}) {
    super(withLocation(message, location));
    this.name = 'OctetError';
    this.code = code;
    this.location = location;
  }
}

function withLocation(message: string, loc: ErrorLocation): string {
  const where = [loc.file, loc.line !== undefined ? `line ${loc.line}` : undefined, loc.field]
    .filter((p) => p !== undefined)
    .join(', ');
  return where ? `${where}: ${message}` : message;
}

export function isOctetError(e: unknown): e is OctetError {
  return e instanceof OctetError;
}
