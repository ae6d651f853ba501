// The server's settings: from `initializationOptions` at start, then from the client's `octet`
// configuration section when it changes. Unknown or mistyped values fall back to the defaults,
// since they come from whatever editor configuration the user wrote.
import type { OctetInitializationOptions } from './protocol';

export interface OctetSettings {
  schemaContributedByClient: boolean;
  semanticCheckDelayMs: number;
  /** undefined: the manifest's or the CLI's default. */
  threads: number | undefined;
  maxConcurrentJobs: number;
  jobProgress: boolean;
  /** Profile open manifests on open and save and annotate their outlier-heavy layers. */
  profileOnSave: boolean;
  /** The outlier criterion when the manifest sets none; undefined: the engine's default. */
  outlierSqnrGapDb: number | undefined;
}

export const DEFAULT_SETTINGS: Readonly<OctetSettings> = {
  schemaContributedByClient: false,
  semanticCheckDelayMs: 200,
  threads: undefined,
  maxConcurrentJobs: 1,
  jobProgress: true,
  profileOnSave: true,
  outlierSqnrGapDb: undefined,
};

/** The longest delay accepted; a larger value would make diagnostics look broken. */
const MAX_DELAY_MS = 10_000;

/**
 * Reads settings from initializationOptions or a configuration object. Accepts the plain form
 * (`{ schemaContributedByClient: true }`), the section form (`{ octet: { ... } }`) and the dotted
 * form some editors pass through verbatim (`{ "octet.schemaContributedByClient": true }`).
 */
export function readSettings(raw: unknown, base: Readonly<OctetSettings> = DEFAULT_SETTINGS): OctetSettings {
  const settings = { ...base };
  if (!isRecord(raw)) return settings;
  const section = isRecord(raw.octet) ? raw.octet : {};
  const pick = (name: keyof OctetInitializationOptions): unknown => raw[name] ?? section[name] ?? raw[`octet.${name}`];

  const contributed = pick('schemaContributedByClient');
  if (typeof contributed === 'boolean') settings.schemaContributedByClient = contributed;
  const delay = pick('semanticCheckDelayMs');
  if (typeof delay === 'number' && Number.isFinite(delay) && delay >= 0) {
    settings.semanticCheckDelayMs = Math.min(delay, MAX_DELAY_MS);
  }
  const threads = pick('threads');
  if (isPositiveInteger(threads)) settings.threads = threads;
  else if (threads === null || threads === 0) settings.threads = undefined; // VS Code's "use the default"
  const concurrent = pick('maxConcurrentJobs');
  if (isPositiveInteger(concurrent)) settings.maxConcurrentJobs = concurrent;
  const progress = pick('jobProgress');
  if (typeof progress === 'boolean') settings.jobProgress = progress;
  const profileOnSave = pick('profileOnSave');
  if (typeof profileOnSave === 'boolean') settings.profileOnSave = profileOnSave;
  // VS Code hands dotted setting names over as nested objects; other editors may not.
  const criteria = pick('outlierCriteria');
  const gap = (isRecord(criteria) ? criteria.sqnrGapDb : undefined) ?? raw['outlierCriteria.sqnrGapDb'] ?? section['outlierCriteria.sqnrGapDb'] ?? raw['octet.outlierCriteria.sqnrGapDb'];
  if (typeof gap === 'number' && Number.isFinite(gap) && gap >= 0) settings.outlierSqnrGapDb = gap;
  else if (gap === null) settings.outlierSqnrGapDb = undefined;
  return settings;
}

function isPositiveInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 1024;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
