// The texts continued pretraining reads: the lines of a plain text file (one document a line),
// or one column of a tsv/csv/jsonl file. Blank texts are skipped (a blank line separates
// paragraphs in many corpora), but a file with no text at all is a mistake and says so.
import { resolveColumn } from '../data/columns';
import { readTable } from '../data/table';
import { readTextFile, splitLines } from '../data/text-file';
import { OctetError } from '../errors';
import type { Manifest } from '../manifest/types';
import { tableFormat } from '../train/run-model';

export interface MlmText {
  text: string;
  /** 1-based line in the file, for messages. */
  line: number;
}

export function loadMlmTexts(manifest: Manifest, file: string): MlmText[] {
  return manifest.data.format === 'text' ? textFileLines(file) : tableColumn(manifest, file);
}

function textFileLines(file: string): MlmText[] {
  const lines = splitLines(readTextFile(file));
  if (lines.length === 0) throw new OctetError('malformed-file', 'the file is empty (mlm reads one text a line)', { file });
  const texts = lines.flatMap((text, i) => (text.trim() === '' ? [] : [{ text, line: i + 1 }]));
  if (texts.length === 0) throw new OctetError('malformed-file', `all ${lines.length} lines are blank: there is no text to pretrain on`, { file });
  return texts;
}

function tableColumn(manifest: Manifest, file: string): MlmText[] {
  const d = manifest.data;
  const table = readTable(file, { format: tableFormat(manifest), header: d.header });
  const column = resolveColumn(table, d.text, 'text');
  const texts = table.rows.flatMap((row) => {
    const text = row.fields[column.index]!;
    return text.trim() === '' ? [] : [{ text, line: row.line }];
  });
  if (texts.length === 0) {
    throw new OctetError('malformed-file', `the text column "${column.label}" is empty on all ${table.rows.length} rows: is it the right column?`, { file, field: 'data.text' });
  }
  return texts;
}
