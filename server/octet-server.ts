// The language server for Octet manifests: wires the LSP connection to the features in this
// folder. Transport-independent (main.ts picks stdio or node IPC); nothing here writes to
// stdout, which belongs to the protocol. Logs go to the client via connection.console.
import * as path from 'node:path';
import { parseTree } from 'jsonc-parser';
import type { CompletionList, Hover, MarkedString, MarkupContent } from 'vscode-json-languageservice';
import {
  CodeActionKind,
  type Connection,
  type Diagnostic,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  type InitializeResult,
  MarkupKind,
  type Range,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { detectClientSupport, type ClientSupport } from './client-support';
import { quickFixes } from './code-actions';
import { DataSampler } from './data-sample';
import { registerJobs, SHUTDOWN_GRACE_MS } from './jobs/register-jobs';
import { createManifestJsonService, type ManifestJsonService } from './json-language-service';
import { layerKeyCompletions } from './layer-completion';
import { COMMAND_IDS, executeManifestCommand, manifestCodeLenses } from './manifest-commands';
import { ManifestDiagnostics } from './manifest-diagnostics';
import { hoverMarkdown, hoverTarget } from './manifest-hover';
import { isManifestUri, manifestFilePath } from './manifest-uri';
import { excessiveNestingAt } from './nesting-guard';
import { ModelInspector } from './model-inspection';
import { outlierCodeActions } from './outliers/outlier-actions';
import { OutlierAnnotations } from './outliers/outlier-annotations';
import { defaultProfileCacheDir, ProfileCache } from './outliers/profile-cache';
import { runProfileProcess } from './outliers/profile-process';
import { runSemanticChecks } from './semantic-checks';
import { DEFAULT_SETTINGS, type OctetSettings, readSettings } from './settings';
import { byPosition, syntaxAndSchemaDiagnostics } from './syntax-diagnostics';

/** The profiling child's bundle, next to this one (dist/server.js -> dist/profile-worker.js). */
const PROFILE_WORKER = path.join(__dirname, 'profile-worker.js');

/** Files whose change on disk can change a manifest's semantic diagnostics. */
const WATCHED_FILES = '**/{config.json,*.safetensors,*.safetensors.index.json,*.tsv,*.csv,*.jsonl,*.ndjson}';

export function startOctetServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const log = (message: string): void => connection.console.log(message);
  const models = new ModelInspector();
  const dataSampler = new DataSampler();

  let client: ClientSupport = detectClientSupport({});
  let initialSettings: OctetSettings = { ...DEFAULT_SETTINGS };
  let settings: OctetSettings = initialSettings;
  let json: ManifestJsonService = createManifestJsonService(log);

  const manifestDocument = (uri: string): TextDocument | undefined => {
    const doc = documents.get(uri);
    return doc !== undefined && isManifestUri(uri) ? doc : undefined;
  };
  /** A manifest the parsers can read (see nesting-guard.ts); diagnostics explain the others. */
  const readableManifest = (uri: string): TextDocument | undefined => {
    const doc = manifestDocument(uri);
    return doc !== undefined && excessiveNestingAt(doc.getText()) === undefined ? doc : undefined;
  };

  const jobs = registerJobs(connection, {
    threads: () => settings.threads,
    maxConcurrentJobs: () => settings.maxConcurrentJobs,
    progress: () => settings.jobProgress,
    openManifests: () => documents.keys().filter(isManifestUri),
    log,
  });

  const diagnostics = new ManifestDiagnostics({
    document: manifestDocument,
    syntaxDiagnostics: (doc) => syntaxAndSchemaDiagnostics(doc, json, { schemaContributedByClient: settings.schemaContributedByClient, log }),
    semanticChecks: async (doc, token) => {
      const manifestPath = manifestFilePath(doc.uri);
      if (manifestPath === undefined) return undefined;
      return runSemanticChecks(doc.getText(), manifestPath, { models, data: dataSampler, token });
    },
    onSemanticResults: (uri) => (client.pullDiagnostics ? requestRefresh() : void publish(uri)),
    delayMs: () => settings.semanticCheckDelayMs,
    log,
  });

  const outliers = new OutlierAnnotations({
    document: readableManifest,
    manifestPath: manifestFilePath,
    settings: () => ({ profileOnSave: settings.profileOnSave, sqnrGapDb: settings.outlierSqnrGapDb, threads: settings.threads }),
    cache: new ProfileCache(defaultProfileCacheDir(), log),
    runProfile: (request, signal) => runProfileProcess(PROFILE_WORKER, request, signal, log),
    onResults: (uri) => (client.pullDiagnostics ? requestRefresh() : void publish(uri)),
    log,
  });

  /** Everything reported on a manifest: syntax, schema, semantic checks and outlier annotations. */
  async function allDiagnostics(doc: TextDocument): Promise<Diagnostic[]> {
    const items = await diagnostics.diagnostics(doc);
    const annotations = excessiveNestingAt(doc.getText()) === undefined ? outliers.diagnostics(doc) : [];
    return annotations.length === 0 ? items : [...items, ...annotations].sort(byPosition);
  }

  // ---- Diagnostics transport ----

  const publishSequence = new Map<string, number>();

  /** Push mode: sends the document's diagnostics, unless a newer publish overtook this one. */
  async function publish(uri: string): Promise<void> {
    const doc = manifestDocument(uri);
    if (doc === undefined) return;
    const sequence = (publishSequence.get(uri) ?? 0) + 1;
    publishSequence.set(uri, sequence);
    try {
      const items = await allDiagnostics(doc);
      if (publishSequence.get(uri) !== sequence || documents.get(uri) === undefined) return;
      await connection.sendDiagnostics({ uri, version: doc.version, diagnostics: items });
    } catch (e) {
      log(`could not publish diagnostics for ${uri}: ${(e as Error).message}`);
    }
  }

  function requestRefresh(): void {
    connection.languages.diagnostics.refresh().catch((e: unknown) => log(`diagnostic refresh failed: ${(e as Error).message}`));
  }

  /** Settings changed: every open manifest's diagnostics may differ. */
  function redeliverAll(): void {
    if (client.pullDiagnostics) requestRefresh();
    else for (const uri of diagnostics.openUris()) void publish(uri);
  }

  // ---- Lifecycle ----

  connection.onInitialize((params): InitializeResult => {
    client = detectClientSupport(params.capabilities);
    initialSettings = readSettings(params.initializationOptions);
    settings = initialSettings;
    json = createManifestJsonService(log, params.capabilities);
    jobs.initialize(params);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        completionProvider: { triggerCharacters: ['"', ':', '.'] },
        hoverProvider: true,
        codeActionProvider: client.codeActionLiterals ? { codeActionKinds: [CodeActionKind.QuickFix] } : true,
        codeLensProvider: { resolveProvider: false },
        executeCommandProvider: { commands: COMMAND_IDS },
        ...(client.pullDiagnostics && {
          // interFileDependencies: a manifest's diagnostics depend on its model and data files.
          diagnosticProvider: { identifier: 'octet', interFileDependencies: true, workspaceDiagnostics: false },
        }),
      },
      serverInfo: { name: 'octet' },
    };
  });

  connection.onInitialized(() => {
    if (client.configurationRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: 'octet' });
    }
    if (client.configuration) void loadConfiguration();
    if (client.watchedFilesRegistration) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: WATCHED_FILES }] });
    }
  });

  async function loadConfiguration(): Promise<void> {
    try {
      const section: unknown = await connection.workspace.getConfiguration('octet');
      settings = readSettings({ octet: section }, initialSettings);
      outliers.settingsChanged();
      redeliverAll();
    } catch (e) {
      log(`could not read the octet settings: ${(e as Error).message}`);
    }
  }

  connection.onDidChangeConfiguration((change) => {
    if (client.configuration) {
      void loadConfiguration();
    } else {
      settings = readSettings(change.settings, initialSettings);
      outliers.settingsChanged();
      redeliverAll();
    }
  });

  connection.onDidChangeWatchedFiles(() => diagnostics.recheckAll());

  // ---- Documents ----

  // TextDocuments reports an open as an open followed by a content change; the change must not
  // postpone the immediate first check by the edit delay.
  const justOpened = new Set<string>();
  documents.onDidOpen(({ document }) => {
    if (!isManifestUri(document.uri)) return;
    justOpened.add(document.uri);
    diagnostics.opened(document.uri);
    outliers.opened(document.uri);
    if (!client.pullDiagnostics) void publish(document.uri);
  });
  documents.onDidChangeContent(({ document }) => {
    if (!isManifestUri(document.uri) || justOpened.delete(document.uri)) return;
    diagnostics.changed(document.uri);
    if (!client.pullDiagnostics) void publish(document.uri);
  });
  documents.onDidSave(({ document }) => {
    // Saving is a natural moment to look at the files again (they may have changed outside).
    if (!isManifestUri(document.uri)) return;
    diagnostics.recheck(document.uri);
    outliers.saved(document.uri);
  });
  documents.onDidClose(({ document }) => {
    justOpened.delete(document.uri);
    diagnostics.closed(document.uri);
    outliers.closed(document.uri);
    publishSequence.delete(document.uri);
    if (!client.pullDiagnostics && isManifestUri(document.uri)) void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  // ---- Features ----

  connection.languages.diagnostics.on(async (params) => {
    const doc = manifestDocument(params.textDocument.uri);
    const items: Diagnostic[] = doc === undefined ? [] : await allDiagnostics(doc);
    return { kind: DocumentDiagnosticReportKind.Full, items };
  });

  connection.onCompletion(async (params) => {
    const doc = readableManifest(params.textDocument.uri);
    if (doc === undefined) return null;
    const ours = await layerKeyCompletions(doc, doc.offsetAt(params.position), {
      manifestPath: manifestFilePath(doc.uri),
      models,
      snippetSupport: client.snippets,
    });
    let fromSchema: CompletionList | null = null;
    if (!settings.schemaContributedByClient) {
      try {
        fromSchema = await json.service.doComplete(doc, params.position, json.parse(doc));
      } catch (e) {
        log(`schema completion failed: ${(e as Error).message}`);
      }
    }
    return { isIncomplete: fromSchema?.isIncomplete ?? false, items: [...(ours ?? []), ...(fromSchema?.items ?? [])] };
  });

  connection.onHover(async (params) => {
    const doc = readableManifest(params.textDocument.uri);
    if (doc === undefined) return null;
    const text = doc.getText();
    const parts: string[] = [];
    let range: Range | undefined;
    const manifestPath = manifestFilePath(doc.uri);
    const target = hoverTarget(parseTree(text), doc.offsetAt(params.position));
    if (target !== undefined && manifestPath !== undefined) {
      const markdown = await hoverMarkdown(text, manifestPath, target, models);
      if (markdown !== '') parts.push(markdown);
      const table = outliers.hoverTable(doc, target.kind === 'layer-pattern' ? target.pattern : undefined);
      if (table !== '') parts.push(table);
      range = { start: doc.positionAt(target.node.offset), end: doc.positionAt(target.node.offset + target.node.length) };
    }
    if (!settings.schemaContributedByClient) {
      try {
        const schemaHover = await json.service.doHover(doc, params.position, json.parse(doc));
        if (schemaHover !== null) {
          parts.push(hoverText(schemaHover));
          range ??= schemaHover.range;
        }
      } catch (e) {
        log(`schema hover failed: ${(e as Error).message}`);
      }
    }
    const value = parts.filter((p) => p !== '').join('\n\n---\n\n');
    if (value === '') return null;
    return { contents: { kind: client.markdownHover ? MarkupKind.Markdown : MarkupKind.PlainText, value }, range };
  });

  connection.onCodeAction((params) => {
    const doc = manifestDocument(params.textDocument.uri);
    if (doc === undefined) return [];
    const only = params.context.only;
    const wantsQuickFixes = only === undefined || only.some((kind) => CodeActionKind.QuickFix.startsWith(kind));
    return [...quickFixes(params), ...(wantsQuickFixes ? outlierCodeActions(doc, params.context.diagnostics) : [])];
  });

  connection.onCodeLens((params) => {
    const doc = manifestDocument(params.textDocument.uri);
    return doc === undefined ? [] : manifestCodeLenses(doc);
  });

  connection.onExecuteCommand((params) => executeManifestCommand(params.command, params.arguments, jobs.start));

  connection.onShutdown(async () => {
    diagnostics.dispose();
    outliers.dispose();
    // Running jobs save a checkpoint and stop; a job's stdout must still be read until it exits.
    await jobs.dispose(SHUTDOWN_GRACE_MS);
  });
  process.on('exit', () => jobs.killAll());

  documents.listen(connection);
  connection.listen();
}

function hoverText(hover: Hover): string {
  const contents = hover.contents;
  const one = (c: MarkedString | MarkupContent): string => (typeof c === 'string' ? c : 'kind' in c ? c.value : `\`\`\`${c.language}\n${c.value}\n\`\`\``);
  return Array.isArray(contents) ? contents.map(one).join('\n\n') : one(contents);
}
