// The project manifest (octet.json): types, parsing, validation and layer-pattern matching.
export * from './types';
export { ManifestError, MANIFEST_FILE_NAME, loadManifest, parseManifest } from './load';
export { validateManifestText } from './validate';
export { MANIFEST_SCHEMA_ID, manifestSchema } from './schema';
export type { CompiledLayerPattern, LayerMatch, LayerPatternList, LayerPrecision } from './layer-patterns';
export {
  checkLayerPattern,
  compileLayerPattern,
  matchLayer,
  resolveLayerPrecision,
  unmatchedPatterns,
} from './layer-patterns';
export { DEFAULT_PRECISION, DEFAULT_PROFILE, DEFAULT_TRAIN } from './defaults';
export { METRICS_FOR_TASK, defaultMetricForTask, metricGreaterIsBetter } from './task-metrics';
