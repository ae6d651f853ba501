// A minimal LSP client for the language-server tests: spawns the BUILT server (dist/server.js)
// with --stdio and talks real JSON-RPC to it. Tests wait for the event they need (a diagnostic
// refresh, a publish) with a deadline that fails the test; they never sleep for a fixed time.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type MessageConnection, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import type {
  CodeAction,
  CodeLens,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentDiagnosticReport,
  Hover,
  InitializeResult,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

/** dist/server.js, from out/test/unit/server/ where the compiled tests run. */
export const SERVER_PATH = path.resolve(__dirname, '..', '..', '..', '..', 'dist', 'server.js');

const DEFAULT_TIMEOUT_MS = 15_000;

/** A diagnostic with a plain-text message (LSP 3.18 also allows markup, which Octet never sends). */
export type TestDiagnostic = Omit<Diagnostic, 'message'> & { message: string };

export function plainDiagnostics(items: Diagnostic[]): TestDiagnostic[] {
  return items.map((d) => ({ ...d, message: typeof d.message === 'string' ? d.message : d.message.value }));
}

export interface StartOptions {
  /** Advertise pull diagnostics with refresh support (default), or only push. */
  pull?: boolean;
  /**
   * Merged over `{ profileOnSave: false }`: tests of other features do not start background
   * profiles (whose diagnostic refreshes would interleave with theirs); the outlier tests turn it on.
   */
  initializationOptions?: Record<string, unknown>;
  /** Advertise window.workDoneProgress (the server then reports jobs as $/progress). */
  workDoneProgress?: boolean;
  /** Extra environment for the server process (e.g. OCTET_JOB_SLOTS_DIR). */
  env?: Record<string, string>;
  /** LSP workspace folders (file: URIs). */
  workspaceFolders?: string[];
}

/** A `$/progress` notification as received. */
export interface ProgressNotification {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; percentage?: number; message?: string; cancellable?: boolean };
}

export class LspTestClient {
  /** workspace/diagnostic/refresh requests received so far. */
  refreshes = 0;
  readonly published = new Map<string, PublishDiagnosticsParams[]>();
  readonly logs: string[] = [];
  /** Every notification by method (octet/jobEvent, octet/jobState, $/progress, ...), in order. */
  readonly notifications: { method: string; params: unknown }[] = [];
  /** Tokens the server created with window/workDoneProgress/create. */
  readonly progressTokens: (string | number)[] = [];
  initializeResult!: InitializeResult;
  private stderr = '';
  private exited: string | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  static async start(options: StartOptions = {}): Promise<LspTestClient> {
    if (!fs.existsSync(SERVER_PATH)) throw new Error(`${SERVER_PATH} is missing: run node scripts/bundle.mjs first`);
    const child = spawn(process.execPath, [SERVER_PATH, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(child, connection);
    child.stderr!.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    child.on('exit', (code, signal) => {
      client.exited = `server exited (code ${code}, signal ${signal})`;
      client.notify();
    });
    connection.onRequest('workspace/diagnostic/refresh', () => {
      client.refreshes++;
      client.notify();
      return null;
    });
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const list = client.published.get(params.uri) ?? [];
      list.push(params);
      client.published.set(params.uri, list);
      client.notify();
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      client.logs.push(params.message);
      client.notify();
    });
    connection.onRequest('window/workDoneProgress/create', (params: { token: string | number }) => {
      client.progressTokens.push(params.token);
      return null;
    });
    for (const method of ['octet/jobEvent', 'octet/jobState', '$/progress']) {
      connection.onNotification(method, (params: unknown) => {
        client.notifications.push({ method, params });
        client.notify();
      });
    }
    connection.listen();

    const pull = options.pull ?? true;
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: options.workspaceFolders?.map((uri, i) => ({ uri, name: `folder${i}` })) ?? null,
      initializationOptions: { profileOnSave: false, ...options.initializationOptions },
      capabilities: {
        ...(options.workDoneProgress === true && { window: { workDoneProgress: true } }),
        textDocument: {
          synchronization: { didSave: true },
          completion: { completionItem: { snippetSupport: true } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
          publishDiagnostics: {},
          ...(pull && { diagnostic: { dynamicRegistration: false } }),
        },
        workspace: pull ? { diagnostics: { refreshSupport: true } } : {},
      },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  open(uri: string, text: string, version = 1): void {
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version, text } });
  }

  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void {
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  save(uri: string): void {
    void this.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  /** Log lines so far that contain `needle`. */
  logCount(needle: string): number {
    return this.logs.filter((l) => l.includes(needle)).length;
  }

  close(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async pull(uri: string): Promise<TestDiagnostic[]> {
    const report: DocumentDiagnosticReport = await this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    if (report.kind !== 'full') throw new Error(`expected a full report, got ${report.kind}`);
    return plainDiagnostics(report.items);
  }

  /**
   * Opens a manifest, waits for its semantic checks to finish, and pulls its diagnostics.
   *
   * The server sends one refresh per finished check run, for any document, and a refresh does not
   * say which. So tests settle every manifest they open or edit (no run of an earlier test is
   * left to finish later), and the count is taken only after a round trip, by which time every
   * refresh the server sent earlier has arrived (one ordered stream).
   */
  async openAndSettle(uri: string, text: string): Promise<TestDiagnostic[]> {
    await this.roundTrip();
    const before = this.refreshes;
    this.open(uri, text);
    await this.waitFor(() => this.refreshes > before, `a diagnostic refresh after opening ${uri}`);
    return this.pull(uri);
  }

  /** Replaces the whole text, waits for the semantic checks of the new version, and pulls. */
  async replaceAndSettle(uri: string, version: number, text: string): Promise<TestDiagnostic[]> {
    await this.roundTrip();
    const before = this.refreshes;
    this.change(uri, version, [{ text }]);
    await this.waitFor(() => this.refreshes > before, `a diagnostic refresh after changing ${uri}`);
    return this.pull(uri);
  }

  /** A request the server answers at once: messages it sent before have all been received after it. */
  async roundTrip(): Promise<void> {
    await this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: 'untitled:round-trip' } });
  }

  hover(uri: string, position: { line: number; character: number }): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  async completion(uri: string, position: { line: number; character: number }): Promise<CompletionItem[]> {
    const result: CompletionList | CompletionItem[] | null = await this.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position });
    return result === null ? [] : Array.isArray(result) ? result : result.items;
  }

  codeLenses(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  }

  codeActions(uri: string, diagnostics: TestDiagnostic[]): Promise<CodeAction[] | null> {
    const range = diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return this.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics } });
  }

  /** The params of every notification of `method` received so far. */
  received<T>(method: string): T[] {
    return this.notifications.filter((n) => n.method === method).map((n) => n.params as T);
  }

  executeCommand(command: string, args: unknown[]): Promise<unknown> {
    return this.connection.sendRequest('workspace/executeCommand', { command, arguments: args });
  }

  /** Resolves once `condition()` holds, re-checked on every message from the server. */
  waitFor(condition: () => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (condition()) {
          finish();
          resolve();
        } else if (this.exited !== undefined) {
          finish();
          reject(new Error(`${this.exited} while waiting for ${what}\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nserver stderr:\n${this.stderr}\nserver log:\n${this.logs.join('\n')}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The server's stderr so far (crash reports land there). */
  get errorOutput(): string {
    return this.stderr;
  }

  get hasExited(): boolean {
    return this.exited !== undefined;
  }

  /** shutdown + exit, then make sure the process is gone. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.exited === undefined) {
      try {
        await withTimeout(this.connection.sendRequest('shutdown'), 5000);
        await this.connection.sendNotification('exit');
        await this.waitFor(() => this.exited !== undefined, 'the server to exit', 5000);
      } catch {
        // Killed below.
      }
    }
    this.connection.dispose();
    if (this.exited === undefined) this.child.kill('SIGKILL');
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
