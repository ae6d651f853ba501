// The end-to-end suite's entry, loaded by the VS Code workbench (extensionTestsPath): runs the
// tests inside the extension host; a failure makes run() reject, which ends the host with code 1.
import { writeResults } from './driver';
import { registry, runAll } from './harness';
import './octet.e2e';

export async function run(): Promise<void> {
  const results = await runAll(registry, (line) => console.log(`[octet-e2e] ${line}`));
  writeResults(results);
  console.log(`[octet-e2e] ${results.passed} passed, ${results.failed} failed`);
  if (results.failed > 0) throw new Error(`${results.failed} end-to-end test(s) failed: ${results.failures.map((f) => f.name).join('; ')}`);
}
