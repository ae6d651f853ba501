// The run commands a manifest offers: as code lenses above it, and through
// workspace/executeCommand so any editor can run them. Each starts a job (server/jobs/).
import { type CodeLens, LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { type JobKind, type OctetCommand, OctetCommands, type StartJobOptions, type StartJobParams, type StartJobResult } from './protocol';

const LENSES = [
  { title: 'Fine-tune with int8 outliers', command: OctetCommands.fineTune },
  { title: 'Profile activations', command: OctetCommands.profile },
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

const KIND_OF_COMMAND: Readonly<Record<OctetCommand, JobKind>> = {
  [OctetCommands.fineTune]: 'train',
  [OctetCommands.profile]: 'profile',
  [OctetCommands.compare]: 'compare',
};

/**
 * workspace/executeCommand for our commands: `[manifestUri, options?]` starts the command's job
 * and answers its StartJobResult; bad arguments are refused clearly.
 */
export function executeManifestCommand(
  command: string,
  args: unknown[] | undefined,
  startJob: (params: StartJobParams) => Promise<StartJobResult>,
): Promise<StartJobResult> {
  if (!COMMAND_IDS.includes(command)) throw new ResponseError(LSPErrorCodes.RequestFailed, `unknown command "${command}"`);
  const uri = args?.[0];
  if (typeof uri !== 'string') throw new ResponseError(LSPErrorCodes.RequestFailed, `${command} takes the manifest's URI as its argument`);
  const raw = args?.[1];
  const options: StartJobOptions = typeof raw === 'object' && raw !== null && (raw as StartJobOptions).resume === true ? { resume: true } : {};
  return startJob({ manifestUri: uri, kind: KIND_OF_COMMAND[command as OctetCommand], options });
}
