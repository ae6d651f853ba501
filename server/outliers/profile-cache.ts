// Profiles by what they were computed from: the model folder's files, the training data file and
// the manifest settings the profiler reads, hashed by CONTENT, so reopening a manifest (or
// saving it unchanged, or touching a file without changing it) finds the profile at once. Kept
// in memory and, written atomically, in a small on-disk folder that survives editor restarts.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeJsonAtomic } from '../../engine/fs/atomic';
import type { Manifest } from '../../engine/manifest';
import { type ActivationProfile, PROFILE_FORMAT_VERSION } from '../../engine/profile/types';

/** Files of a model folder the profile depends on: weights, config, tokenizer, synthetic note. */
const MODEL_FILE = /(\.safetensors|\.json|^vocab\.txt)$/;
const MEMORY_ENTRIES = 16;
const DISK_ENTRIES = 64;

export type CacheHit = 'memory' | 'disk';

/** Where profiles are kept on disk: $OCTET_PROFILE_CACHE_DIR, else the user's cache folder. */
export function defaultProfileCacheDir(): string {
  const env = process.env.OCTET_PROFILE_CACHE_DIR;
  if (env !== undefined && env !== '') return env;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'octet', 'profiles');
}

/**
 * The settings profileManifest reads, minus the precision MODES: the profile runs every layer in
 * fp32 whatever the mode, so switching a layer between int8 and int8-outlier needs no new profile
 * (the diagnostics' severity follows the current text). Criteria are left out too: verdicts are
 * recomputed from the SQNR figures with whatever criteria apply now.
 */
export function profileSettingsKey(manifest: Manifest, batches: number, sqnrRowsPerBatch: number): unknown {
  const { mode: _mode, ...precision } = manifest.precision;
  const layers = manifest.layers.map((r) => {
    const { mode: _m, ...override } = r.override;
    return [r.pattern, override];
  });
  return { task: manifest.task, data: manifest.data, train: manifest.train, precision, layers, batches, sqnrRowsPerBatch };
}

export class ProfileCache {
  private readonly memory = new Map<string, ActivationProfile>();
  private readonly fileHashes = new Map<string, { fingerprint: string; hash: Promise<string> }>();

  /** dir undefined: memory only. */
  constructor(private readonly dir: string | undefined, private readonly log: (message: string) => void) {}

  /** The cache key of a profile of `manifest` with these settings; rejects when a file cannot be read. */
  async key(manifest: Manifest, batches: number, sqnrRowsPerBatch: number): Promise<string> {
    const names = (await fsp.readdir(manifest.model)).filter((n) => MODEL_FILE.test(n)).sort();
    const modelHashes = await Promise.all(names.map(async (n) => [n, await this.hashFile(path.join(manifest.model, n))]));
    const dataHash = await this.hashFile(manifest.data.train);
    const h = createHash('sha256');
    h.update(JSON.stringify({ version: PROFILE_FORMAT_VERSION, modelHashes, dataHash, settings: profileSettingsKey(manifest, batches, sqnrRowsPerBatch) }));
    return h.digest('hex');
  }

  async get(key: string): Promise<{ profile: ActivationProfile; hit: CacheHit } | undefined> {
    const inMemory = this.memory.get(key);
    if (inMemory !== undefined) {
      this.remember(key, inMemory);
      return { profile: inMemory, hit: 'memory' };
    }
    if (this.dir === undefined) return undefined;
    try {
      const profile = JSON.parse(await fsp.readFile(this.fileOf(key), 'utf8')) as ActivationProfile;
      if (profile.format !== 'octet-activation-profile' || profile.version !== PROFILE_FORMAT_VERSION || !Array.isArray(profile.layers)) return undefined;
      this.remember(key, profile);
      return { profile, hit: 'disk' };
    } catch {
      return undefined; // Absent or unreadable: profile again (and overwrite it).
    }
  }

  async put(key: string, profile: ActivationProfile): Promise<void> {
    this.remember(key, profile);
    if (this.dir === undefined) return;
    try {
      await fsp.mkdir(this.dir, { recursive: true });
      await writeJsonAtomic(this.fileOf(key), profile);
      await this.prune();
    } catch (e) {
      this.log(`could not write the profile cache in ${this.dir}: ${(e as Error).message}`);
    }
  }

  private remember(key: string, profile: ActivationProfile): void {
    this.memory.delete(key);
    this.memory.set(key, profile);
    while (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value as string);
  }

  private fileOf(key: string): string {
    return path.join(this.dir!, `${key}.json`);
  }

  /** Keeps the newest DISK_ENTRIES profiles. */
  private async prune(): Promise<void> {
    const files = (await fsp.readdir(this.dir!)).filter((n) => /^[0-9a-f]{64}\.json$/.test(n));
    if (files.length <= DISK_ENTRIES) return;
    const dated = await Promise.all(files.map(async (n) => ({ n, t: (await fsp.stat(path.join(this.dir!, n))).mtimeMs })));
    dated.sort((a, b) => a.t - b.t);
    for (const { n } of dated.slice(0, dated.length - DISK_ENTRIES)) await fsp.rm(path.join(this.dir!, n), { force: true });
  }

  /** sha256 of a file's content, streamed (never one long block of the event loop), memoised by stat. */
  private async hashFile(file: string): Promise<string> {
    const stats = await fsp.stat(file);
    const fingerprint = `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
    const known = this.fileHashes.get(file);
    if (known !== undefined && known.fingerprint === fingerprint) return known.hash;
    const hash = new Promise<string>((resolve, reject) => {
      const h = createHash('sha256');
      createReadStream(file, { highWaterMark: 1 << 20 })
        .on('data', (chunk) => h.update(chunk))
        .on('error', reject)
        .on('end', () => resolve(h.digest('hex')));
    });
    this.fileHashes.set(file, { fingerprint, hash });
    hash.catch(() => this.fileHashes.delete(file));
    return hash;
  }
}
