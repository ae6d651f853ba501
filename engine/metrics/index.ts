// Public surface of the metrics: what the trainer, CLI and QA evaluation import.

export { accuracy, binaryF1, macroF1, matthewsCorrelation } from './classification';
export { averageRanks, pearson, spearman } from './correlation';
export { meanSquaredError } from './regression-error';
export { computeTaskMetrics } from './task-metrics';
export type { ClassificationMetrics, RegressionMetrics, TaskMetricOptions } from './task-metrics';
export { exactMatch, normalizeAnswer, squadScores, tokenF1 } from './squad';
export type { Values } from './inputs';
