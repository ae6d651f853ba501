// The `octet` command line's commands. Data goes to stdout, logs and errors to stderr.
import { Command } from 'commander';
import { isOctetError } from '../errors';
import { benchCommand } from './bench-command';

export function fail(e: unknown): never {
  // Octet's own errors carry a message meant for the user; anything else is a bug: show the stack.
  process.stderr.write(`octet: ${isOctetError(e) ? e.message : e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(isOctetError(e) ? 2 : 1);
}

export function buildProgram(): Command {
  const program = new Command('octet')
    .description('Fine-tune BERT-class models in integer arithmetic, with outlier activations tiled into int8 GEMMs.')
    .showHelpAfterError();
  program
    .command('bench')
    .description('Benchmark kernels: prints a table and writes JSON (bench-results/<what>.json)')
    .argument('[what]', 'which benchmark: gemm', 'gemm')
    .option('--json', 'print the JSON report on stdout instead of the table')
    .option('--out <file>', 'where to write the JSON report')
    .option('--rounds <n>', 'timed rounds per kernel')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .action((what: string, opts) => benchCommand(what, opts));
  return program;
}
