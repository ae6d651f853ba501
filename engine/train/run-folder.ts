// A run's folder: what was run (manifest snapshot, seed, versions, CPU), what happened
// (metrics.jsonl, one event a line), checkpoints and the final model.
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeDirAtomic, writeFileAtomic, writeJsonAtomic } from '../fs/atomic';
import { appendJsonLine, readJsonLines } from '../fs/json-lines';
import type { RunEvent } from './events';

const CHECKPOINT_PREFIX = 'step-';

export class RunFolder {
  readonly metricsPath: string;
  readonly checkpointsDir: string;
  readonly modelDir: string;
  readonly runInfoPath: string;
  /** Squad: the best evaluation's answers, in the official format {question id: answer}. */
  readonly predictionsPath: string;
  /** Tokenizer files copied in at the start, so every checkpoint can carry them even after the source moves. */
  readonly tokenizerDir: string;

  constructor(readonly root: string) {
    this.metricsPath = path.join(root, 'metrics.jsonl');
    this.checkpointsDir = path.join(root, 'checkpoints');
    this.modelDir = path.join(root, 'model');
    this.runInfoPath = path.join(root, 'run.json');
    this.predictionsPath = path.join(root, 'predictions.json');
    this.tokenizerDir = path.join(root, 'tokenizer');
  }

  checkpointDir(step: number): string {
    return path.join(this.checkpointsDir, `${CHECKPOINT_PREFIX}${String(step).padStart(6, '0')}`);
  }

  /** Checkpoint folders, oldest first (only complete ones: atomic writes leave no partial folder under this name). */
  checkpoints(): string[] {
    if (!existsSync(this.checkpointsDir)) return [];
    return readdirSync(this.checkpointsDir)
      .filter((n) => n.startsWith(CHECKPOINT_PREFIX) && /^\d+$/.test(n.slice(CHECKPOINT_PREFIX.length)))
      .sort()
      .map((n) => path.join(this.checkpointsDir, n));
  }

  latestCheckpoint(): string | null {
    return this.checkpoints().at(-1) ?? null;
  }

  hasHistory(): boolean {
    return existsSync(this.metricsPath) || this.checkpoints().length > 0;
  }

  async create(snapshot: { manifest: unknown; info: Record<string, unknown>; tokenizerFiles: string[] }): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await writeDirAtomic(this.tokenizerDir, async (tmp) => {
      for (const f of snapshot.tokenizerFiles) await copyFile(f, path.join(tmp, path.basename(f)));
    });
    await writeJsonAtomic(path.join(this.root, 'manifest.json'), snapshot.manifest);
    await writeJsonAtomic(this.runInfoPath, snapshot.info);
  }

  /** The tokenizer files saved with the run (see create). */
  tokenizerFiles(): string[] {
    return existsSync(this.tokenizerDir) ? readdirSync(this.tokenizerDir).sort().map((f) => path.join(this.tokenizerDir, f)) : [];
  }

  /** Starts over: drops the events and checkpoints of an earlier run in the same folder. */
  async clear(): Promise<void> {
    await rm(this.metricsPath, { force: true });
    await rm(this.checkpointsDir, { recursive: true, force: true });
    await rm(this.modelDir, { recursive: true, force: true });
    await rm(this.predictionsPath, { force: true });
  }

  async append(event: RunEvent): Promise<void> {
    await appendJsonLine(this.metricsPath, event);
  }

  async events(): Promise<RunEvent[]> {
    return existsSync(this.metricsPath) ? readJsonLines<RunEvent>(this.metricsPath) : [];
  }

  /**
   * Before resuming from the checkpoint at `step`: keep the events up to it (and its own
   * checkpoint event), drop the rest and any end event, so the finished file reads like an
   * uninterrupted run's. A torn last line from a kill is dropped by readJsonLines.
   */
  async truncateAfter(step: number): Promise<void> {
    const kept = (await this.events()).filter((e) => e.type !== 'end' && e.step <= step);
    await writeFileAtomic(this.metricsPath, kept.map((e) => JSON.stringify(e) + '\n').join(''));
  }
}
