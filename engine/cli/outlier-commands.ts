// The outlier study's commands (issue 4): profile, compare and plant-outliers. Registered from
// here so program.ts, which every command touches, needs one line for all of them.
import { type Command, Option } from 'commander';
import { compareCommand } from './compare-command';
import { plantOutliersCommand } from './plant-outliers-command';
import { profileCommand } from './profile-command';

export function registerOutlierCommands(program: Command): void {
  program
    .command('profile')
    .description('Activation outliers of the manifest\'s model on calibration batches of its training data: per-layer statistics, outlier dims and tokens, output SQNR under int8 and int8-outlier, and a verdict')
    .argument('<manifest>', 'path to octet.json (or its folder)')
    .option('--batches <n>', 'calibration batches (default: the manifest\'s profile.batches)')
    .option('--sqnr-rows <n>', 'output rows per batch and layer in the SQNR sums (0: all)')
    .option('--json', 'print the profile as JSON (the format the language server reads)')
    .option('--threads <n>', 'onnxruntime intra-op threads')
    .action((manifest: string, opts) => profileCommand(manifest, opts));
  program
    .command('compare')
    .description('Fine-tune once per precision mode and seed, and print the paper-style table (runs kept under <output>/compare/)')
    .argument('<manifest>', 'path to octet.json (or its folder)')
    .option('--modes <list>', 'precision modes, comma-separated', 'fp32,int8,int8-outlier')
    .option('--seeds <n>', 'seeds per mode: train.seed and the next ones', '3')
    .option('--json', 'print the summary as JSON instead of markdown')
    .option('--threads <n>', 'onnxruntime intra-op threads (per run with --parallel)')
    .option('--parallel <n>', 'runs at a time, each in its own process with cores / n threads', '1')
    .addOption(new Option('--only <mode:seed>', 'run just this one run of the comparison (what --parallel starts)').hideHelp())
    .action((manifest: string, opts) => compareCommand(manifest, opts));
  program
    .command('plant-outliers')
    .description('Copy a model with SYNTHETIC outlier hidden dimensions planted in it (for tests and experiments)')
    .argument('<modelDir>', 'Hugging Face BERT folder to read')
    .argument('<outDir>', 'folder to write the planted model to')
    .option('--dims <list>', 'hidden dimensions to plant, comma-separated (e.g. 308,381)')
    .option('--count <n>', 'without --dims: how many dims to draw at random', '2')
    .option('--seed <n>', 'without --dims: seed of the draw', '0')
    .option('--gain <g>', 'how many times larger the planted dims become', '20')
    .option('--compensation <c>', 'divide the reading weight columns by gain^c: 1 keeps layer outputs exact, 0 leaves weights unchanged', '1')
    .action((modelDir: string, outDir: string, opts) => plantOutliersCommand(modelDir, outDir, opts));
}
