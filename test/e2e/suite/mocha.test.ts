// The same tests for @vscode/test-cli (.vscode-test.mjs), which runs mocha in a downloaded VS
// Code: registered as mocha tests. Without the Chromium runner, UI steps go through the API.
import { registry } from './harness';
import './octet.e2e';

declare function describe(name: string, body: () => void): void;
declare function it(name: string, fn: () => Promise<void>): { timeout(ms: number): void };

describe('Octet end to end', () => {
  for (const t of registry) it(t.name, t.fn).timeout(t.timeoutMs);
});
