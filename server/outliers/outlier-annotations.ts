// When manifests are profiled, and the latest profile of each open one. A profile runs when a
// manifest is opened and when it is saved (debounced: an auto-save burst runs one), in a child
// process (profile-process.ts), so the server keeps answering; a newer request for a different
// profile kills the one in flight. Results are cached by content (profile-cache.ts): reopening
// a manifest costs a few stats and a hash lookup.
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type Manifest, parseManifest } from '../../engine/manifest';
import type { ActivationProfile } from '../../engine/profile/types';
import { readLooseManifest } from '../loose-manifest';
import { valueSnapshot } from '../semantic-checks';
import type { ProfileCache } from './profile-cache';
import { effectiveSqnrGapDb, flaggedLayers, outlierDiagnostics } from './outlier-findings';
import { ProfileCancelled } from './profile-process';
import type { ProfileRequest } from './profile-messages';
import { profileTableMarkdown } from './profile-table';

/** Calibration batches for annotations: a few, however many `octet profile` would take. */
export const ANNOTATION_MAX_BATCHES = 4;
/** Output rows per batch and layer in the SQNR sums (the profiler's default). */
export const ANNOTATION_SQNR_ROWS = 512;
/** Saves closer together than this run one profile. */
export const SAVE_DEBOUNCE_MS = 300;

export interface OutlierSettings {
  profileOnSave: boolean;
  /** undefined: the manifest's, else the default. */
  sqnrGapDb: number | undefined;
  threads: number | undefined;
}

export interface OutlierAnnotationsDeps {
  document(uri: string): TextDocument | undefined;
  manifestPath(uri: string): string | undefined;
  settings(): OutlierSettings;
  cache: ProfileCache;
  runProfile(request: ProfileRequest, signal: AbortSignal): Promise<ActivationProfile>;
  onResults(uri: string): void;
  log(message: string): void;
}

interface Profiled {
  profile: ActivationProfile;
  /** `model` and `data.train` as they were when profiled: a profile of other files is not shown. */
  modelValue: string | undefined;
  trainValue: string | undefined;
}

interface DocumentState {
  timer?: NodeJS.Timeout;
  running?: { key: string; abort: AbortController };
  result?: Profiled;
}

export class OutlierAnnotations {
  private readonly states = new Map<string, DocumentState>();
  /** Profiles computed and profiles served from the cache, since start (tests and logs read them). */
  readonly counts = { profiled: 0, memoryHits: 0, diskHits: 0 };

  constructor(private readonly deps: OutlierAnnotationsDeps) {}

  opened(uri: string): void {
    this.states.set(uri, {});
    this.schedule(uri, 0);
  }

  /** Profiles the text as saved, even if the user types on during the debounce. */
  saved(uri: string): void {
    if (this.states.has(uri)) this.schedule(uri, SAVE_DEBOUNCE_MS);
  }

  closed(uri: string): void {
    const state = this.states.get(uri);
    if (state === undefined) return;
    clearTimeout(state.timer);
    state.running?.abort.abort();
    this.states.delete(uri);
  }

  /** Settings changed: profile open manifests if profiling was turned on, drop results if off. */
  settingsChanged(): void {
    for (const [uri, state] of this.states) {
      if (!this.deps.settings().profileOnSave) {
        clearTimeout(state.timer);
        state.running?.abort.abort();
        state.running = undefined;
        state.result = undefined;
      } else if (state.result === undefined && state.running === undefined) {
        this.schedule(uri, 0);
      }
    }
  }

  dispose(): void {
    for (const uri of [...this.states.keys()]) this.closed(uri);
  }

  /** The outlier diagnostics for the document's current text (none until a profile is in). */
  diagnostics(doc: TextDocument): Diagnostic[] {
    const current = this.current(doc);
    if (current === undefined) return [];
    const sqnrGapDb = effectiveSqnrGapDb(current.manifest.root, this.deps.settings().sqnrGapDb);
    return outlierDiagnostics(doc, current.manifest, flaggedLayers(current.profile, current.manifest, sqnrGapDb));
  }

  /** The per-layer table for a hover on `model` (no pattern) or on a `layers` key; '' without a profile. */
  hoverTable(doc: TextDocument, pattern?: string): string {
    const current = this.current(doc);
    if (current === undefined) return '';
    try {
      return profileTableMarkdown(current.profile, current.manifest, effectiveSqnrGapDb(current.manifest.root, this.deps.settings().sqnrGapDb), pattern);
    } catch {
      return ''; // An invalid pattern: the layer hover explains it.
    }
  }

  private current(doc: TextDocument): { profile: ActivationProfile; manifest: ReturnType<typeof readLooseManifest> } | undefined {
    const result = this.states.get(doc.uri)?.result;
    const manifestPath = this.deps.manifestPath(doc.uri);
    if (result === undefined || manifestPath === undefined || !this.deps.settings().profileOnSave) return undefined;
    const manifest = readLooseManifest(doc.getText(), manifestPath);
    if (valueSnapshot(manifest.root, ['model'], 'value') !== result.modelValue) return undefined;
    if (valueSnapshot(manifest.root, ['data', 'train'], 'value') !== result.trainValue) return undefined;
    return { profile: result.profile, manifest };
  }

  private schedule(uri: string, delayMs: number): void {
    const state = this.states.get(uri);
    const text = this.deps.document(uri)?.getText();
    if (state === undefined || text === undefined || !this.deps.settings().profileOnSave) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => void this.run(uri, text), delayMs);
  }

  private async run(uri: string, text: string): Promise<void> {
    const state = this.states.get(uri);
    const manifestPath = this.deps.manifestPath(uri);
    if (state === undefined || manifestPath === undefined) return;
    state.timer = undefined;
    let manifest: Manifest;
    try {
      manifest = parseManifest(text, manifestPath);
    } catch (e) {
      // The manifest's own diagnostics say what is wrong; keep the last profile.
      this.deps.log(`outlier profile of ${manifestPath} not run: ${(e as Error).message}`);
      return;
    }
    const batches = Math.min(manifest.profile.batches, ANNOTATION_MAX_BATCHES);
    const label = manifestPath;
    let key: string;
    try {
      key = await this.deps.cache.key(manifest, batches, ANNOTATION_SQNR_ROWS);
    } catch (e) {
      this.deps.log(`outlier profile of ${label} not run: ${(e as Error).message}`);
      return;
    }
    if (this.states.get(uri) !== state) return;
    if (state.running?.key === key) return; // The same profile is on its way.
    state.running?.abort.abort();
    const running = { key, abort: new AbortController() };
    state.running = running;
    try {
      const cached = await this.deps.cache.get(key);
      let profile: ActivationProfile;
      if (cached !== undefined) {
        profile = cached.profile;
        if (cached.hit === 'memory') this.counts.memoryHits++;
        else this.counts.diskHits++;
        this.deps.log(`outlier profile of ${label}: cache hit (${cached.hit})`);
      } else {
        const started = performance.now();
        profile = await this.deps.runProfile(
          { manifestText: text, manifestPath, batches, sqnrRowsPerBatch: ANNOTATION_SQNR_ROWS, threads: this.deps.settings().threads ?? 1 },
          running.abort.signal,
        );
        this.counts.profiled++;
        this.deps.log(`outlier profile of ${label}: profiled ${batches} batches in ${Math.round(performance.now() - started)} ms`);
        await this.deps.cache.put(key, profile);
      }
      if (running.abort.signal.aborted || this.states.get(uri) !== state) return;
      const root = readLooseManifest(text, manifestPath).root;
      state.result = { profile, modelValue: valueSnapshot(root, ['model'], 'value'), trainValue: valueSnapshot(root, ['data', 'train'], 'value') };
    } catch (e) {
      if (e instanceof ProfileCancelled || running.abort.signal.aborted) return;
      this.deps.log(`outlier profile of ${label} failed: ${(e as Error).message}`);
      return;
    } finally {
      if (state.running === running) state.running = undefined;
    }
    this.deps.onResults(uri);
    this.deps.log(`outlier annotations ready for ${uri}`);
  }
}
