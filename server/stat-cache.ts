// Results computed from a file, kept while the file is unchanged (same size, modification time
// and inode). Reopening a manifest, or typing in it, then costs one stat per file instead of
// re-reading model headers and data samples. Failures are cached too: a missing or corrupt file
// is reported from the cache until it changes.
import { promises as fsp, type Stats } from 'node:fs';

interface Entry<T> {
  fingerprint: string;
  result: Promise<T>;
}

export class StatCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly maxEntries = 64) {}

  /**
   * The cached result for `key` (which names `file` plus whatever else the result depends on),
   * or a fresh `load()` when the file changed. Rejects with the stat error when `file` cannot be
   * stat'ed (ENOENT...), which is never cached.
   */
  async get(file: string, key: string, load: (stats: Stats) => Promise<T>): Promise<T> {
    const stats = await fsp.stat(file);
    const fingerprint = `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.fingerprint === fingerprint) {
      // Most recently used last, so eviction below drops the stalest entry.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.result;
    }
    const result = load(stats);
    // Keep the promise itself: concurrent checks of the same file share one read.
    this.entries.set(key, { fingerprint, result });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return result;
  }

  clear(): void {
    this.entries.clear();
  }
}
