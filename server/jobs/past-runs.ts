// Past runs read back from run folders (`<output>/metrics.jsonl` and `run.json`, written by
// engine/train/run-folder.ts), so the editor can list runs from before the daemon started.
import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readJsonLines } from '../../engine/fs/json-lines';
import { loadManifest } from '../../engine/manifest/load';
import type { RunEvent } from '../../engine/train/events';
import { RunFolder } from '../../engine/train/run-folder';
import type { PastRunInfo } from '../protocol';

/** The run folder (`output`) of a manifest on disk, or undefined when it cannot be read. */
export function runFolderOf(manifestPath: string): string | undefined {
  try {
    return loadManifest(manifestPath).output;
  } catch {
    return undefined;
  }
}

/** What a run folder says about its run; undefined when it holds no run. */
export async function readPastRun(runFolder: string, manifestPath?: string): Promise<PastRunInfo | undefined> {
  const run = new RunFolder(runFolder);
  if (!existsSync(run.metricsPath)) return undefined;
  let events: RunEvent[];
  try {
    events = await readJsonLines<RunEvent>(run.metricsPath);
  } catch {
    return { runFolder, ...(manifestPath !== undefined && { manifestUri: pathToFileURL(manifestPath).href }), kind: 'train' };
  }
  const start = events.find((e) => e.type === 'start');
  const end = [...events].reverse().find((e) => e.type === 'end');
  const lastEval = [...events].reverse().find((e) => e.type === 'eval');
  const last = events.at(-1);
  const info: PastRunInfo = { runFolder, kind: 'train' };
  if (manifestPath !== undefined) info.manifestUri = pathToFileURL(manifestPath).href;
  const startedAt = (await readRunInfoStart(run.runInfoPath)) ?? start?.time;
  if (startedAt !== undefined) info.startedAt = startedAt;
  if (start?.type === 'start') {
    info.mode = start.mode;
    info.task = start.task;
    info.totalSteps = start.totalSteps;
  }
  if (last !== undefined) info.steps = last.step;
  if (end?.type === 'end') {
    info.state = end.state;
    info.finishedAt = end.time;
    if (end.message !== undefined) info.message = end.message;
  }
  const metrics = end?.type === 'end' && end.metrics !== undefined ? end.metrics : lastEval?.type === 'eval' ? lastEval.metrics : undefined;
  if (metrics !== undefined) info.metrics = metrics;
  // A checkpoint of a run that never completed (cancelled, failed, or killed without an end event).
  info.resumable = run.latestCheckpoint() !== null && !(end?.type === 'end' && end.state === 'completed');
  return info;
}

async function readRunInfoStart(file: string): Promise<number | undefined> {
  try {
    const info = JSON.parse(await fsp.readFile(file, 'utf8')) as { startedAt?: unknown };
    const ms = typeof info.startedAt === 'string' ? Date.parse(info.startedAt) : Number.NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'out', 'dist', '.tools']);

/** octet.json files (and *.octet.json) up to `depth` folders below each root, at most `limit`. */
export async function findManifests(roots: readonly string[], depth = 3, limit = 200): Promise<string[]> {
  const found: string[] = [];
  const visit = async (dir: string, level: number): Promise<void> => {
    if (found.length >= limit) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (entry.isFile() && (name.toLowerCase() === 'octet.json' || name.toLowerCase().endsWith('.octet.json'))) found.push(path.join(dir, name));
    }
    if (level >= depth) return;
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) await visit(path.join(dir, entry.name), level + 1);
    }
  };
  for (const root of roots) await visit(root, 0);
  return found.slice(0, limit);
}
