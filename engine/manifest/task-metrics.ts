// Which evaluation metrics make sense for which task, and the usual one for picking the best
// checkpoint. The schema's description of `train.metricForBestModel` lists the same defaults.
import type { MetricName, TaskType } from './types';

export const METRICS_FOR_TASK: Readonly<Record<TaskType, readonly MetricName[]>> = {
  classification: ['accuracy', 'f1', 'matthews', 'loss'],
  regression: ['pearson', 'spearman', 'loss'],
  squad: ['f1', 'exactMatch', 'loss'],
  // Accuracy: the share of masked tokens predicted right.
  mlm: ['loss', 'accuracy'],
};

/** The metric used when `train.metricForBestModel` is not given: the first listed for the task. */
export function defaultMetricForTask(task: TaskType): MetricName {
  return METRICS_FOR_TASK[task][0];
}

/** Whether a larger value of the metric is better (only the loss goes the other way). */
export function metricGreaterIsBetter(metric: MetricName): boolean {
  return metric !== 'loss';
}
