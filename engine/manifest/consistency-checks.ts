// Rules that tie several fields together, which the JSON Schema cannot say in a way that gives
// a useful message (warm-up given twice, a metric that does not fit the task, a column index in
// a jsonl file, a malformed layer pattern). They run on the raw value even when the schema found
// problems, so one pass reports everything; each check skips values of the wrong type, which the
// schema already reports.
import { formatForTask } from './data-format';
import { JsonDocument, JsonPathPart, fieldName, findKeyNode, findValueNode, problemAtNode } from './json-document';
import { checkLayerPattern } from './layer-patterns';
import { METRICS_FOR_TASK } from './task-metrics';
import type { ManifestProblem, MetricName, TaskType } from './types';

type JsonObject = Record<string, unknown>;

const TASK_TYPES: readonly string[] = Object.keys(METRICS_FOR_TASK);

export function consistencyProblems(doc: JsonDocument, value: unknown): ManifestProblem[] {
  const root = asObject(value);
  if (root === undefined) return [];
  const report = new Reporter(doc);
  checkLayers(report, asObject(root.layers));
  const taskType = checkTask(report, root);
  checkTrain(report, asObject(root.train), taskType, asObject(root.data));
  checkData(report, asObject(root.data), taskType);
  return report.problems;
}

class Reporter {
  readonly problems: ManifestProblem[] = [];
  constructor(private readonly doc: JsonDocument) {}

  /** A problem about the value at `path`. */
  value(path: JsonPathPart[], message: string): void {
    this.problems.push(problemAtNode(this.doc, message, fieldName(path), findValueNode(this.doc.root, path)));
  }

  /** A problem about a property as a whole (its key is underlined). */
  key(path: JsonPathPart[], message: string): void {
    this.problems.push(problemAtNode(this.doc, message, fieldName(path), findKeyNode(this.doc.root, path)));
  }
}

function checkLayers(report: Reporter, layers: JsonObject | undefined): void {
  if (layers === undefined) return;
  for (const pattern of Object.keys(layers)) {
    const syntax = checkLayerPattern(pattern);
    if (syntax !== undefined) {
      report.key(['layers', pattern], syntax);
    } else if (pattern.split('.')[0] === 'bert') {
      // Hugging Face prefixes the encoder with `bert.` in checkpoints; Octet's layer names drop
      // it, so such a pattern would silently match nothing.
      report.key(['layers', pattern], `layer names do not start with "bert."; write "${pattern.slice('bert.'.length)}"`);
    }
  }
}

/** Checks label settings against the task type; returns the task type (default classification). */
function checkTask(report: Reporter, root: JsonObject): TaskType | undefined {
  const task = asObject(root.task);
  if (task === undefined) return root.task === undefined ? 'classification' : undefined;
  const type = TASK_TYPES.includes(task.type as string) ? (task.type as TaskType) : undefined;
  if (type === undefined) return undefined;

  if (type !== 'classification') {
    for (const key of ['labels', 'positiveLabel'] as const) {
      if (task[key] !== undefined) report.key(['task', key], `${key} applies only to classification tasks, not ${type}`);
    }
  }
  const numLabels = typeof task.numLabels === 'number' ? task.numLabels : undefined;
  const labels = stringArray(task.labels);
  if (type === 'regression' && numLabels !== undefined && numLabels !== 1) {
    report.value(['task', 'numLabels'], `a regression task has one output; numLabels must be 1, found ${numLabels}`);
  }
  if ((type === 'squad' || type === 'mlm') && task.numLabels !== undefined) {
    report.key(['task', 'numLabels'], `numLabels applies only to classification and regression tasks, not ${type}`);
  }
  if (type === 'classification') {
    if (numLabels !== undefined && numLabels < 2) {
      report.value(['task', 'numLabels'], `classification needs at least 2 labels, found ${numLabels}`);
    } else if (numLabels !== undefined && labels !== undefined && labels.length !== numLabels) {
      report.value(['task', 'numLabels'], `numLabels is ${numLabels} but labels lists ${labels.length}`);
    }
    const positive = task.positiveLabel;
    if (typeof positive === 'string' && labels !== undefined && !labels.includes(positive)) {
      report.value(['task', 'positiveLabel'], `positiveLabel ${JSON.stringify(positive)} is not one of labels`);
    }
  }
  return type;
}

function checkTrain(report: Reporter, train: JsonObject | undefined, task: TaskType | undefined, data: JsonObject | undefined): void {
  if (train === undefined) return;
  if (train.warmupRatio !== undefined && train.warmupSteps !== undefined) {
    report.key(['train', 'warmupSteps'], 'give warmupRatio or warmupSteps, not both');
  }
  const metric = train.metricForBestModel;
  if (task !== undefined && typeof metric === 'string' && isKnownMetric(metric)) {
    const fitting = METRICS_FOR_TASK[task];
    if (!fitting.includes(metric)) {
      report.value(
        ['train', 'metricForBestModel'],
        `"${metric}" is not measured for ${task} tasks; use ${orList(fitting.map((m) => `"${m}"`))}`,
      );
    }
  }
  // Without evaluation data there is nothing to compare, so these settings would do nothing.
  const hasEval = data !== undefined && data.eval !== undefined;
  if (!hasEval && data !== undefined) {
    for (const key of ['earlyStoppingPatience', 'metricForBestModel'] as const) {
      if (train[key] !== undefined) report.key(['train', key], `${key} needs evaluation data: set data.eval`);
    }
  }
}

function checkData(report: Reporter, data: JsonObject | undefined, task: TaskType | undefined): void {
  if (data === undefined) return;
  const given = typeof data.format === 'string' ? data.format : undefined;
  let format = given;
  if (data.format === undefined && typeof data.train === 'string' && data.train !== '') {
    format = formatForTask(data.train, task);
    if (format === undefined) {
      const known = task === 'squad' ? '"json" (SQuAD JSON) or "jsonl"' : task === 'mlm' ? '"text" (plain text), "tsv", "csv" or "jsonl"' : '"tsv", "csv" or "jsonl"';
      report.value(['data', 'train'], `cannot tell the data format from the file extension; set data.format to ${known}`);
    } else if (typeof data.eval === 'string' && ![undefined, format].includes(formatForTask(data.eval, task))) {
      report.value(['data', 'eval'], `the eval file's extension says ${formatForTask(data.eval, task)} but the train file's says ${format}; both are read as one format (set data.format)`);
    }
  }
  checkTaskFormat(report, data, task, format);
  const columns = (['text', 'textPair', 'label'] as const).filter((k) => data[k] !== undefined && data[k] !== null);
  if (task === 'mlm') checkMlmColumns(report, data, format);
  if (format === 'text') {
    if (data.header !== undefined) report.key(['data', 'header'], 'header applies only to tsv and csv files, not plain text');
  } else if (format === 'jsonl') {
    if (data.header !== undefined) report.key(['data', 'header'], 'header applies only to tsv and csv files, not jsonl');
    for (const k of columns) {
      if (typeof data[k] === 'number') report.value(['data', k], 'jsonl rows are objects: name the field instead of giving an index');
    }
  } else if (format === 'json') {
    if (data.header !== undefined) report.key(['data', 'header'], 'header applies only to tsv and csv files, not SQuAD JSON');
    // A SQuAD JSON file names its fields itself (question, context, answers).
    for (const k of columns) report.key(['data', k], `${k} names a jsonl field; a SQuAD JSON file has fixed fields`);
  } else if (data.header === false) {
    for (const k of columns) {
      if (typeof data[k] === 'string') {
        report.value(['data', k], 'with header: false the columns have no names: give a 0-based column index');
      }
    }
  }
}

/**
 * Squad reads SQuAD JSON or JSONL (answers are lists, which tsv/csv cannot hold); only squad reads
 * SQuAD JSON, and only mlm reads plain text (the other tasks need a label beside the text).
 */
function checkTaskFormat(report: Reporter, data: JsonObject, task: TaskType | undefined, format: string | undefined): void {
  if (format === undefined || task === undefined) return;
  const at = data.format !== undefined ? ['data', 'format'] : ['data', 'train'];
  const tables = task === 'mlm' ? 'text, tsv, csv or jsonl' : 'tsv, csv or jsonl';
  if (task === 'squad' && format !== 'json' && format !== 'jsonl') {
    report.value(at, `squad data is SQuAD JSON (.json) or jsonl, not ${format}`);
  } else if (task !== 'squad' && format === 'json') {
    report.value(at, `json (SQuAD JSON) is read only for squad tasks; ${task} data is ${tables}`);
  } else if (task !== 'mlm' && format === 'text') {
    report.value(at, `text (plain text) is read only for mlm tasks; ${task} data is ${tables}`);
  }
}

/** Mlm reads one text per line of a plain text file, or one column of a table; never a label. */
function checkMlmColumns(report: Reporter, data: JsonObject, format: string | undefined): void {
  for (const k of ['textPair', 'label'] as const) {
    if (data[k] !== undefined && data[k] !== null) report.key(['data', k], `${k} is not read for mlm: pretraining needs only text`);
  }
  if (format === 'text') {
    if (data.text !== undefined) report.key(['data', 'text'], 'a plain text file has no columns: every line is one text');
  } else if (format !== undefined && format !== 'json' && data.text === undefined) {
    report.key(['data'], `mlm on a ${format} file needs data.text: the column to pretrain on (or give a .txt file, one text a line)`);
  }
}

function orList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function isKnownMetric(m: string): m is MetricName {
  return Object.values(METRICS_FOR_TASK).some((list) => (list as readonly string[]).includes(m));
}

function asObject(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}
