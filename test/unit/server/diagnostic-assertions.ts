// Assertions on diagnostics with failure messages that show everything the server reported.
import * as assert from 'node:assert/strict';
import type { TestDiagnostic } from './lsp-test-client';

export const ERROR = 1;
export const WARNING = 2;

/** The one diagnostic whose message contains `fragment`. */
export function findDiagnostic(diagnostics: TestDiagnostic[], fragment: string): TestDiagnostic {
  const found = diagnostics.filter((d) => d.message.includes(fragment));
  assert.equal(found.length, 1, `expected one diagnostic mentioning ${JSON.stringify(fragment)}, got:\n${listing(diagnostics)}`);
  return found[0];
}

export function assertNoDiagnostic(diagnostics: TestDiagnostic[], fragment: string): void {
  const found = diagnostics.filter((d) => d.message.includes(fragment));
  assert.equal(found.length, 0, `expected no diagnostic mentioning ${JSON.stringify(fragment)}, got:\n${listing(diagnostics)}`);
}

export function listing(diagnostics: TestDiagnostic[]): string {
  const lines = diagnostics.map(
    (d) => `  ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} [${d.severity}] ${d.message}`,
  );
  return lines.length > 0 ? lines.join('\n') : '  (none)';
}
