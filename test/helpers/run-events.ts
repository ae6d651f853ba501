// Run events as two runs of the same training can be compared: without the fields that measure
// time (when, how fast, how long left) and with the run's own folder written as "<root>".
import type { RunEvent } from '../../engine/train/events';

export function withoutTimings(events: readonly RunEvent[], root: string): unknown[] {
  return events.map((e) => {
    const rest: Record<string, unknown> = { ...e };
    delete rest.time;
    delete rest.tokensPerSecond;
    delete rest.etaMs;
    if (typeof rest.path === 'string') rest.path = rest.path.replace(root, '<root>');
    return rest;
  });
}
