// All diagnostics of open manifests, and when they are computed.
//
// Syntax/schema diagnostics are computed from the current text on every request: they take a
// millisecond or two, so a pull always describes what the user sees now. Semantic checks read
// model and data files; they start when a document opens and `delayMs` after the last edit, a
// newer edit cancels the run in flight, and their latest findings are shown with every answer
// (re-anchored to the current text). `onSemanticResults` fires after each completed run, for the
// server to ask the client to pull again (or to push).
import { type ParseError, parseTree } from 'jsonc-parser';
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { anchorFindings } from './anchored-diagnostics';
import { CheckCancelled, CheckToken } from './cancellation';
import { excessiveNestingAt } from './nesting-guard';
import type { SemanticFinding } from './semantic-checks';
import { byPosition } from './syntax-diagnostics';

export interface ManifestDiagnosticsDeps {
  document(uri: string): TextDocument | undefined;
  syntaxDiagnostics(doc: TextDocument): Promise<Diagnostic[]>;
  /** Undefined when the checks cannot run on this document (e.g. not a file on disk). */
  semanticChecks(doc: TextDocument, token: CheckToken): Promise<SemanticFinding[] | undefined>;
  onSemanticResults(uri: string): void;
  delayMs(): number;
  log(message: string): void;
}

interface DocumentState {
  timer?: NodeJS.Timeout;
  running?: CheckToken;
  findings: SemanticFinding[];
}

export class ManifestDiagnostics {
  private readonly states = new Map<string, DocumentState>();

  constructor(private readonly deps: ManifestDiagnosticsDeps) {}

  opened(uri: string): void {
    this.schedule(uri, 0);
  }

  changed(uri: string): void {
    this.schedule(uri, this.deps.delayMs());
  }

  closed(uri: string): void {
    const state = this.states.get(uri);
    if (state === undefined) return;
    clearTimeout(state.timer);
    state.running?.cancel();
    this.states.delete(uri);
  }

  /** Checks one manifest again now (it was saved: the files it names may have changed too). */
  recheck(uri: string): void {
    if (this.states.has(uri)) this.schedule(uri, 0);
  }

  /** Files the checks read may have changed on disk: check every open manifest again now. */
  recheckAll(): void {
    for (const uri of this.states.keys()) this.schedule(uri, 0);
  }

  openUris(): string[] {
    return [...this.states.keys()];
  }

  /** Diagnostics for the document's current text: syntax/schema now, plus the latest semantic findings. */
  async diagnostics(doc: TextDocument): Promise<Diagnostic[]> {
    const syntax = await this.deps.syntaxDiagnostics(doc);
    const findings = this.states.get(doc.uri)?.findings ?? [];
    if (findings.length === 0 || excessiveNestingAt(doc.getText()) !== undefined) return syntax;
    const root = parseTree(doc.getText(), [], { disallowComments: true, allowTrailingComma: false });
    return [...syntax, ...anchorFindings(doc, root, findings)].sort(byPosition);
  }

  dispose(): void {
    for (const uri of [...this.states.keys()]) this.closed(uri);
  }

  private schedule(uri: string, delayMs: number): void {
    let state = this.states.get(uri);
    if (state === undefined) {
      state = { findings: [] };
      this.states.set(uri, state);
    }
    clearTimeout(state.timer);
    state.running?.cancel();
    state.running = undefined;
    state.timer = setTimeout(() => void this.run(uri), delayMs);
  }

  private async run(uri: string): Promise<void> {
    const state = this.states.get(uri);
    const doc = this.deps.document(uri);
    if (state === undefined || doc === undefined) return;
    state.timer = undefined;
    const token = new CheckToken();
    state.running = token;
    try {
      // Half-typed JSON yields half-right paths (a truncated "models/be" folder is "missing");
      // keep the previous findings until the text parses again.
      const errors: ParseError[] = [];
      const readable = excessiveNestingAt(doc.getText()) === undefined;
      if (readable) parseTree(doc.getText(), errors, { disallowComments: true, allowTrailingComma: false });
      if (readable && errors.length === 0) {
        const findings = await this.deps.semanticChecks(doc, token);
        if (token.isCancelled) return;
        state.findings = findings ?? [];
      }
    } catch (e) {
      if (e instanceof CheckCancelled || token.isCancelled) return;
      // A bug in a check must not leave stale results up, nor take the server down.
      this.deps.log(`semantic checks failed for ${uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      state.findings = [];
    } finally {
      if (state.running === token) state.running = undefined;
    }
    if (this.states.get(uri) === state) this.deps.onSemanticResults(uri);
  }
}
