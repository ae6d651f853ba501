// Benchmark output: a plain-text table for people, a JSON file for tools (written atomically).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeJsonAtomic } from '../fs/atomic';

export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Creates the report's folder if needed; the write itself is engine/fs's atomic JSON write. */
export async function writeJsonReport(path: string, report: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeJsonAtomic(path, report);
}
