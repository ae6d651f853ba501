// Class labels <-> integer ids. The id order is saved with the model (id2label), so it must be
// deterministic: either the user's explicit list, or a fixed rule that does not depend on the
// order rows happen to appear in the file.

import { OctetError } from '../errors';
import { looksNumeric } from './numbers';

/** Explicit labels: a list (id = position) or a map from label to id (ids must be 0..n-1). */
export type LabelSpec = readonly string[] | Readonly<Record<string, number>>;

export interface LabelVocabulary {
  /** Label text for each class id. */
  readonly id2label: readonly string[];
  readonly label2id: ReadonlyMap<string, number>;
}

export function explicitLabelVocabulary(spec: LabelSpec, file: string): LabelVocabulary {
  const id2label = Array.isArray(spec) ? [...(spec as readonly string[])] : labelsFromMap(spec as Record<string, number>, file);
  if (id2label.length === 0) throw new OctetError('invalid-argument', 'the explicit label list is empty', { file });
  const label2id = new Map<string, number>();
  id2label.forEach((label, id) => {
    if (typeof label !== 'string' || label.trim() === '') {
      throw new OctetError('invalid-argument', `explicit label #${id} must be a non-empty string`, { file });
    }
    // Labels in the file are compared after trimming, so the list is trimmed the same way.
    const key = label.trim();
    if (label2id.has(key)) throw new OctetError('invalid-argument', `label "${key}" is listed twice`, { file });
    label2id.set(key, id);
  });
  return { id2label: id2label.map((l) => l.trim()), label2id };
}

/**
 * The order used when no labels are given: if every label looks like a number ("0", "1", "-1",
 * "2.5") they are sorted by value, so "10" comes after "9"; otherwise by UTF-16 code units (not
 * locale), so "entailment" < "not_entailment" everywhere.
 */
export function inferLabelVocabulary(distinctLabels: Iterable<string>): LabelVocabulary {
  const labels = [...new Set(distinctLabels)];
  const allNumeric = labels.every(looksNumeric);
  labels.sort((a, b) => {
    if (allNumeric) {
      const byValue = Number(a) - Number(b);
      if (byValue !== 0) return byValue;
    }
    return a < b ? -1 : a > b ? 1 : 0; // ties such as "1" vs "1.0" still get a fixed order
  });
  return { id2label: labels, label2id: new Map(labels.map((label, id) => [label, id])) };
}

/** For messages: the known labels, shortened when there are many. */
export function describeKnownLabels(vocabulary: LabelVocabulary, limit = 20): string {
  const shown = vocabulary.id2label.slice(0, limit).join(', ');
  const more = vocabulary.id2label.length - limit;
  return more > 0 ? `${shown}, … ${more} more` : shown;
}

function labelsFromMap(map: Record<string, number>, file: string): string[] {
  const entries = Object.entries(map);
  const id2label = new Array<string>(entries.length);
  for (const [label, id] of entries) {
    if (!Number.isInteger(id) || id < 0 || id >= entries.length || id2label[id] !== undefined) {
      throw new OctetError(
        'invalid-argument',
        `label map: id ${id} for "${label}" is invalid; the ids of ${entries.length} labels must be 0..${entries.length - 1}, each used once`,
        { file },
      );
    }
    id2label[id] = label;
  }
  return id2label;
}
