// `octet compare <manifest>`: fp32 / int8 / int8-outlier fine-tuning side by side, over seeds.
import { checkModes, compareModes } from '../compare/compare-modes';
import { formatCompareMarkdown } from '../compare/format';
import { loadManifest } from '../manifest/load';
import { PRECISION_MODES } from '../nn/precision';
import { createBackend, threadsFrom } from './backend-option';
import { parseCount } from './parse-count';

export interface CompareCommandOptions {
  modes?: string;
  seeds?: string;
  json?: boolean;
  threads?: string;
}

export async function compareCommand(manifestPath: string, opts: CompareCommandOptions): Promise<void> {
  const manifest = loadManifest(manifestPath);
  const modes = checkModes((opts.modes ?? PRECISION_MODES.join(',')).split(',').map((m) => m.trim()));
  const seeds = parseCount(opts.seeds ?? '3', '--seeds', 1);
  const backend = await createBackend(threadsFrom(opts.threads, manifest));
  try {
    const summary = await compareModes(manifest, backend, { modes, seeds, log: (l) => process.stderr.write(l + '\n') });
    process.stdout.write(opts.json ? JSON.stringify(summary) + '\n' : formatCompareMarkdown(summary) + '\n');
  } finally {
    await backend.dispose();
  }
}
