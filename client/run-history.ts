// A run folder's history for the dashboard: the events on disk merged with the events a job is
// streaming, so a resumed run reads like the uninterrupted one (the CLI writes the file the same
// way: events up to the checkpoint, then the resumed steps, one start event).
import type { RunEvent } from '../engine/train/events';

const key = (e: RunEvent): string => `${e.type}|${e.step}|${e.time}`;

/**
 * `disk`: the folder's metrics.jsonl when the job started streaming; `live`: what the job streamed.
 * A fresh run streams everything itself; a resumed one continues the file after its checkpoint.
 */
export function runHistory(disk: readonly RunEvent[], live: readonly RunEvent[]): RunEvent[] {
  const first = live[0];
  if (first === undefined) return [...disk];
  if (first.type === 'start' && first.resumedFrom === null) return [...live];
  const cut = first.type === 'start' && first.resumedFrom !== null ? first.resumedFrom : first.step;
  const kept = disk.filter((e) => e.type !== 'end' && e.step <= cut);
  const seen = new Set(kept.map(key));
  const hasStart = kept.some((e) => e.type === 'start');
  return [...kept, ...live.filter((e) => !seen.has(key(e)) && !(hasStart && e.type === 'start'))];
}
