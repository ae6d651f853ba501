// Entry point of the Octet language server (dist/server.js; `octet-server --stdio`). The
// transport is chosen on the command line: `--stdio` for any LSP client, `--node-ipc` when VS
// Code starts it as a Node module. In stdio mode stdout carries the protocol and nothing else.
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startOctetServer } from './octet-server';

const USAGE = `usage: octet-server --stdio | --node-ipc

The Octet language server: diagnostics, completion and hover for octet.json manifests.
  --stdio      speak LSP over stdin/stdout (any editor)
  --node-ipc   speak LSP over Node IPC (started by the VS Code extension)
`;

function main(argv: readonly string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(USAGE);
    process.exit(0);
  }
  if (!argv.includes('--stdio') && !argv.includes('--node-ipc')) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  // A daemon outlives editor sessions: a bug in one request must not end it. Report and go on.
  process.on('uncaughtException', (e) => process.stderr.write(`octet-server: uncaught exception: ${e.stack ?? e.message}\n`));
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`octet-server: unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
  });
  // createConnection reads the transport flag from process.argv itself.
  startOctetServer(createConnection(ProposedFeatures.all));
}

main(process.argv.slice(2));
