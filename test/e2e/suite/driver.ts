// Asks the runner outside VS Code (test/e2e/run.mjs, which drives the workbench in Chromium) to
// do what a person does: run a command from the palette, look at the Problems panel or the
// dashboard. Requests and answers are files in the exchange folder the runner names in
// OCTET_E2E_EXCHANGE. Without a runner (@vscode/test-cli), the same steps go through the API.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitUntil } from './harness';

export interface UiAnswer {
  ok: boolean;
  detail: string;
  data?: Record<string, unknown>;
}

const exchange = process.env.OCTET_E2E_EXCHANGE;
let counter = 0;

/** Whether a runner drives the workbench (else the tests use the VS Code API for the same steps). */
export const driverAvailable = exchange !== undefined && exchange !== '' && fs.existsSync(exchange);

export async function requestUi(action: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<UiAnswer> {
  if (!driverAvailable) throw new Error(`no UI driver for "${action}"`);
  const id = `${String(++counter).padStart(3, '0')}-${action}`;
  const answerFile = path.join(exchange!, `${id}.answer.json`);
  fs.writeFileSync(path.join(exchange!, `${id}.request.json.tmp`), JSON.stringify({ id, action, ...params }));
  fs.renameSync(path.join(exchange!, `${id}.request.json.tmp`), path.join(exchange!, `${id}.request.json`));
  const answer = await waitUntil(() => (fs.existsSync(answerFile) ? (JSON.parse(fs.readFileSync(answerFile, 'utf8')) as UiAnswer) : undefined), `the runner to ${action}`, timeoutMs, 100);
  if (!answer.ok) throw new Error(`${action}: ${answer.detail}`);
  return answer;
}

/** Where the runner wants the results (it prints the closing "N passed, N failed" line). */
export function writeResults(results: unknown): void {
  if (driverAvailable) fs.writeFileSync(path.join(exchange!, 'results.json'), JSON.stringify(results, null, 2));
}
