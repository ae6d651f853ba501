// The run commands a manifest offers: as code lenses above it, and through
// workspace/executeCommand so any editor can run them. Running jobs is not wired up yet, so
// executing one answers with an error that says so, rather than pretending to start something.
import { type CodeLens, LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { OctetCommands } from './protocol';

const LENSES = [
  { title: 'Fine-tune', command: OctetCommands.fineTune },
  { title: 'Profile layers', command: OctetCommands.profile },
  { title: 'Compare precisions', command: OctetCommands.compare },
] as const;

export const COMMAND_IDS: string[] = Object.values(OctetCommands);

/** Lenses on the line of the manifest's opening brace; none for a file without one. */
export function manifestCodeLenses(doc: TextDocument): CodeLens[] {
  const text = doc.getText();
  const brace = text.search(/\S/);
  if (brace < 0 || text[brace] !== '{') return [];
  const position = doc.positionAt(brace);
  const range = { start: position, end: { line: position.line, character: position.character + 1 } };
  return LENSES.map(({ title, command }) => ({ range, command: { title, command, arguments: [doc.uri] } }));
}

/** workspace/executeCommand for our commands: not available yet; refuses bad arguments clearly. */
export function executeManifestCommand(command: string, args: unknown[] | undefined): never {
  if (!COMMAND_IDS.includes(command)) throw new ResponseError(LSPErrorCodes.RequestFailed, `unknown command "${command}"`);
  const uri = args?.[0];
  if (typeof uri !== 'string') throw new ResponseError(LSPErrorCodes.RequestFailed, `${command} takes the manifest's URI as its argument`);
  throw new ResponseError(LSPErrorCodes.RequestFailed, `${command} is not available yet: this version of the Octet language server cannot run jobs (${uri})`);
}
