// What the connected editor can do, read once from `initialize`. Decides, among other things,
// how diagnostics travel: pulled by the client (textDocument/diagnostic, with
// workspace/diagnostic/refresh when semantic results arrive) or pushed (publishDiagnostics).
// Never both: a client that did both would show every problem twice.
import { type ClientCapabilities, MarkupKind } from 'vscode-languageserver';

export interface ClientSupport {
  /** Pull diagnostics, and the refresh request that tells the client to pull again. */
  pullDiagnostics: boolean;
  /** workspace/configuration requests. */
  configuration: boolean;
  /** Dynamic registration for configuration-change notifications. */
  configurationRegistration: boolean;
  /** Dynamic registration of file watchers (model and data files changed on disk). */
  watchedFilesRegistration: boolean;
  snippets: boolean;
  markdownHover: boolean;
  codeActionLiterals: boolean;
}

export function detectClientSupport(caps: ClientCapabilities): ClientSupport {
  return {
    // Without refresh the client would only see semantic results on its next pull, which may
    // never come for a document nobody edits; push works everywhere.
    pullDiagnostics: caps.textDocument?.diagnostic !== undefined && caps.workspace?.diagnostics?.refreshSupport === true,
    configuration: caps.workspace?.configuration === true,
    configurationRegistration: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    watchedFilesRegistration: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    snippets: caps.textDocument?.completion?.completionItem?.snippetSupport === true,
    markdownHover: caps.textDocument?.hover?.contentFormat?.includes(MarkupKind.Markdown) ?? false,
    codeActionLiterals: caps.textDocument?.codeAction?.codeActionLiteralSupport !== undefined,
  };
}
