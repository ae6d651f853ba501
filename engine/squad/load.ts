// Reads a squad data file (SQuAD JSON or JSONL) into checked questions.
import { readTextFile } from '../data/text-file';
import { OctetError } from '../errors';
import { checkedExample, type SquadExample } from './examples';
import { parseSquadJson } from './squad-json';
import { parseSquadJsonl, type SquadJsonlFields } from './squad-jsonl';

export interface SquadFileSpec {
  file: string;
  format: 'json' | 'jsonl';
  /** JSONL only: the fields holding the question, the context and the answers. */
  fields: SquadJsonlFields;
  version2: boolean;
  /** Prediction input: questions need no answers, and any given are not read. */
  ignoreAnswers?: boolean;
}

export function loadSquadExamples(spec: SquadFileSpec): SquadExample[] {
  const { file } = spec;
  const text = readTextFile(file);
  const ignoreAnswers = spec.ignoreAnswers ?? false;
  const raw = spec.format === 'json' ? parseSquadJson(text, file) : parseSquadJsonl(text, file, spec.fields, { answersRequired: !ignoreAnswers });
  if (raw.length === 0) throw new OctetError('malformed-file', 'has no questions', { file });
  const seen = new Map<string, SquadExample>();
  const examples = raw.map((q) => {
    const ex = checkedExample(q, { version2: spec.version2, ignoreAnswers });
    // Predictions are keyed by id (the official {id: answer} file), so an id must name one question.
    const earlier = seen.get(ex.id);
    if (earlier) throw new OctetError('malformed-file', `question id ${JSON.stringify(ex.id)} is used twice (first at ${earlier.where.field ?? `line ${earlier.where.line}`})`, ex.where);
    seen.set(ex.id, ex);
    return ex;
  });
  return examples;
}
