// A minimal test harness for the extension host (the workbench loads index.js and awaits run()).
// Tests run in order, each with its own deadline; a failure does not stop the next ones.
export interface E2eTest {
  name: string;
  timeoutMs: number;
  fn: () => Promise<void>;
}

export interface E2eResults {
  passed: number;
  failed: number;
  failures: { name: string; error: string }[];
}

export const registry: E2eTest[] = [];

export function test(name: string, fn: () => Promise<void>, timeoutMs = 120_000): void {
  registry.push({ name, fn, timeoutMs });
}

export async function runAll(tests: readonly E2eTest[], log: (line: string) => void): Promise<E2eResults> {
  const results: E2eResults = { passed: 0, failed: 0, failures: [] };
  for (const t of tests) {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        t.fn(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs))),
      ]);
      results.passed++;
      log(`✔ ${t.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      results.failed++;
      const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      results.failures.push({ name: t.name, error });
      log(`✖ ${t.name} (${Date.now() - t0} ms)\n${error}`);
    } finally {
      clearTimeout(timer);
    }
  }
  return results;
}

/** Polls `condition` until it holds (returns its value) or `timeoutMs` passes. */
export async function waitUntil<T>(condition: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
