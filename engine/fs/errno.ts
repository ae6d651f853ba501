// Node reports file-system failures as errors carrying a POSIX code ('ENOENT', ...); this reads it
// without trusting the shape of whatever was thrown.
export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}
