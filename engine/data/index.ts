// Public surface of the data layer: what the trainer, CLI and daemon import.

export { loadExamples } from './examples';
export type {
  ClassificationExamples,
  Example,
  ExampleSpec,
  LoadedExamples,
  RegressionExamples,
  TaskKind,
} from './examples';
export { readTable } from './table';
export type { ReadTableOptions, Table } from './table';
export type { RawRecord } from './records';
export type { ColumnRef } from './columns';
export type { DataFormat } from './formats';
export type { LabelSpec } from './labels';
