// Starts the bundled language server (dist/server.js) over Node IPC. The run commands the server
// offers (code lenses: octet.fineTune, octet.profile, octet.compare) are routed to the
// extension's own flows, which save the manifest, check workspace trust and ask about an
// existing run before starting the job.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { OctetCommands } from '../server/protocol';
import { initializationOptions } from './settings';

const SERVER_COMMANDS: readonly string[] = Object.values(OctetCommands);

export const MANIFEST_SELECTOR = [
  { scheme: 'file', language: 'json', pattern: '**/{octet.json,*.octet.json}' },
  { scheme: 'file', language: 'jsonc', pattern: '**/{octet.json,*.octet.json}' },
];

export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  runServerCommand: (command: string, args: unknown[]) => Promise<unknown>,
): LanguageClient {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: MANIFEST_SELECTOR,
    outputChannel: output,
    initializationOptions: initializationOptions(),
    middleware: {
      executeCommand: (command, args, next) => (SERVER_COMMANDS.includes(command) ? runServerCommand(command, args) : next(command, args)),
      // Run lenses start jobs: none in an untrusted workspace.
      provideCodeLenses: (document, token, next) => (vscode.workspace.isTrusted ? next(document, token) : []),
      workspace: {
        // Nor background profiles (they load the workspace's model and data): profileOnSave is off there.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (vscode.workspace.isTrusted || !Array.isArray(result)) return result;
          return result.map((value: unknown, i) =>
            params.items[i]?.section === 'octet' && typeof value === 'object' && value !== null ? { ...value, profileOnSave: false } : value);
        },
      },
    },
  };
  return new LanguageClient('octet', 'Octet language server', serverOptions, clientOptions);
}
