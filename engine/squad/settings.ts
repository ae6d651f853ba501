// The squad settings of a manifest, defaults filled (the resolver fills them for squad tasks;
// this also serves manifests built by hand in code).
import { DEFAULT_SQUAD } from '../manifest/defaults';
import type { Manifest } from '../manifest/types';
import type { AnswerOptions } from './answers';
import type { SquadJsonlFields } from './squad-jsonl';
import type { WindowOptions } from './windows';

export interface SquadSettings extends WindowOptions, AnswerOptions {
  fields: SquadJsonlFields;
}

export function squadSettings(m: Manifest): SquadSettings {
  const d = m.data;
  return {
    maxSeqLength: m.train.maxSeqLength,
    docStride: m.train.docStride ?? DEFAULT_SQUAD.docStride,
    maxAnswerLength: m.train.maxAnswerLength ?? DEFAULT_SQUAD.maxAnswerLength,
    nBest: m.train.nBest ?? DEFAULT_SQUAD.nBest,
    version2: m.task.version2 ?? DEFAULT_SQUAD.version2,
    // JSONL rows are objects, so the manifest checks only allow field names here.
    fields: {
      question: String(d.text),
      context: String(d.textPair ?? DEFAULT_SQUAD.contextField),
      answers: String(d.label),
    },
  };
}
