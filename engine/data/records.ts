// The shape every reader produces, so header handling and field-count checks live in one place.

/** One row of a data file, before any header interpretation. */
export interface RawRecord {
  /** 1-based line where the record starts (a quoted CSV field may span several lines). */
  readonly line: number;
  readonly fields: readonly string[];
}
