// Finds a column the user named (header name) or numbered (0-based index) in a table, and
// explains what is available when it is not there: a typo in a column name is the most common
// configuration mistake.

import { OctetError } from '../errors';
import type { Table } from './table';

/** A column by header name, or by 0-based position. */
export type ColumnRef = string | number;

export interface ResolvedColumn {
  readonly index: number;
  /** How messages refer to it: the header name, or "column index N" in a headerless file. */
  readonly label: string;
}

/** `role` says what the column is for ("text", "label"), so messages can name the setting to fix. */
export function resolveColumn(table: Table, ref: ColumnRef, role: string): ResolvedColumn {
  const { file, columns } = table;
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0 || ref >= table.width) {
      throw new OctetError(
        'invalid-argument',
        `${role} column index ${ref} is out of range: the file has ${table.width} columns (indices 0..${table.width - 1})`,
        { file },
      );
    }
    return { index: ref, label: columns?.[ref] ?? `column index ${ref}` };
  }
  if (columns === null) {
    throw new OctetError(
      'invalid-argument',
      `${role} column "${ref}" is given by name, but the file is read without a header row; ` +
        'give a 0-based column index, or read it with header: true',
      { file },
    );
  }
  const index = columns.indexOf(ref);
  if (index === -1) {
    throw new OctetError(
      'invalid-argument',
      `${role} column "${ref}" not found (available: ${columns.map((c) => `"${c}"`).join(', ')})`,
      { file, line: headerLine(table) },
    );
  }
  if (columns.indexOf(ref, index + 1) !== -1) {
    throw new OctetError(
      'invalid-argument',
      `${role} column "${ref}" appears more than once in the header; give a 0-based column index instead`,
      { file, line: headerLine(table) },
    );
  }
  return { index, label: ref };
}

/** The header is line 1 of a TSV/CSV; JSONL names come from the first object line. */
function headerLine(table: Table): number {
  return table.format === 'jsonl' ? table.rows[0]!.line : 1;
}
