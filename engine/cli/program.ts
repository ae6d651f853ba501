// The `octet` command line's commands. Data goes to stdout, logs and errors to stderr.
import { Command } from 'commander';
import { isOctetError } from '../errors';
import { benchCommand } from './bench-command';
import { benchTrainOneCommand } from './bench-train-command';
import { exportCommand } from './export-command';
import { evalCommand, predictCommand, trainCommand } from './train-commands';
import { registerOutlierCommands } from './outlier-commands';

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
    .argument('[what]', 'which benchmark: gemm, train, profile, export', 'gemm')
    .option('--json', 'print the JSON report on stdout instead of the table')
    .option('--out <file>', 'where to write the JSON report')
    .option('--rounds <n>', 'gemm: timed rounds per kernel; train: interleaved rounds (median shown); profile: timed rounds')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .option('--sizes <list>', 'train: model sizes (tiny,mini,small,base)')
    .option('--modes <list>', 'train: precision modes (fp32,int8,int8-outlier)')
    .option('--steps <n>', 'train: timed steps per configuration')
    .option('--no-pytorch', 'train: skip the PyTorch peer')
    .action((what: string, opts) => benchCommand(what, opts));
  // Internal: one configuration of `bench train`, run in its own process for its peak memory.
  program
    .command('bench-train-one', { hidden: true })
    .requiredOption('--size <size>')
    .requiredOption('--mode <mode>')
    .option('--steps <n>', '', '5')
    .option('--threads <n>', '', '2')
    .action((opts) => benchTrainOneCommand(opts));
  program
    .command('train')
    .description('Fine-tune the model the manifest names; events go to <output>/metrics.jsonl')
    .argument('<manifest>', 'path to octet.json (or its folder)')
    .option('--resume', 'continue from the run folder\'s latest checkpoint')
    .option('--json', 'print events as JSON lines on stdout instead of a progress bar')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .action((manifest: string, opts) => trainCommand(manifest, opts));
  program
    .command('eval')
    .description('Evaluate on the manifest\'s eval data (default model: the run\'s final model)')
    .argument('<manifest>', 'path to octet.json (or its folder)')
    .option('--checkpoint <dir>', 'a checkpoint or model folder to evaluate')
    .option('--onnx <file>', 'an exported model (octet export): its .onnx file or folder, run by onnxruntime')
    .option('--json', 'print the result as JSON')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .action((manifest: string, opts) => evalCommand(manifest, opts));
  program
    .command('predict')
    .description('Predict every row of a file with the manifest\'s text columns (squad: answer every question); one line per row, in order')
    .argument('<manifest>', 'path to octet.json (or its folder)')
    .requiredOption('--input <file>', 'TSV, CSV or JSONL file with the text columns (squad: SQuAD JSON or JSONL questions)')
    .option('--checkpoint <dir>', 'a checkpoint or model folder to use')
    .option('--onnx <file>', 'an exported model (octet export): its .onnx file or folder, run by onnxruntime')
    .option('--json', 'one JSON object per row: {line, prediction, logits} (squad: {id, answer, score})')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .action((manifest: string, opts) => predictCommand(manifest, opts));
  program
    .command('export')
    .description('Write the fine-tuned model as ONNX with integer linear layers, plus tokenizer, config and <name>.export.json next to it')
    .argument('<manifest>', 'path to octet.json (or its folder)')
    .requiredOption('--onnx <file>', 'the .onnx file to write (its folder receives the sidecar files)')
    .option('--checkpoint <dir>', 'a checkpoint or model folder to export (default: the run\'s final model)')
    .option('--precision <mode>', 'every linear layer in this mode: int8-outlier, int8 or fp32 (default: each layer as the manifest sets it)')
    .option('--json', 'print the result as JSON')
    .action((manifest: string, opts) => exportCommand(manifest, opts));
  registerOutlierCommands(program);
  return program;
}
