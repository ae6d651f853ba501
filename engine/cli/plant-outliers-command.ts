// `octet plant-outliers <modelDir> <outDir>`: a copy of a model with SYNTHETIC outlier dimensions
// (engine/fixtures/plant-outliers.ts), for experiments with the profiler and the comparison.
import { readBertConfig } from '../checkpoint/bert-config';
import { OctetError } from '../errors';
import { plantOutliersInFolder } from '../fixtures/plant-outliers-folder';
import { randomDims } from '../fixtures/plant-outliers';
import path from 'node:path';
import { parseCount } from './parse-count';

export interface PlantOutliersOptions {
  dims?: string;
  count?: string;
  gain?: string;
  seed?: string;
  compensation?: string;
}

function parseDims(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  return parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new OctetError('invalid-argument', `--dims must be a comma-separated list of hidden dimensions, got "${text}"`);
    return Number(p);
  });
}

export async function plantOutliersCommand(modelDir: string, outDir: string, opts: PlantOutliersOptions): Promise<void> {
  const gain = Number(opts.gain ?? '20');
  if (opts.gain !== undefined && !/^\s*[\d.eE+]+\s*$/.test(opts.gain)) throw new OctetError('invalid-argument', `--gain must be a number, got "${opts.gain}"`);
  let dims: number[];
  if (opts.dims !== undefined) {
    dims = parseDims(opts.dims);
  } else {
    const config = await readBertConfig(path.join(modelDir, 'config.json'));
    dims = randomDims(config.hiddenSize, parseCount(opts.count ?? '2', '--count', 1), parseCount(opts.seed ?? '0', '--seed', 0));
  }
  const compensation = opts.compensation === undefined ? undefined : Number(opts.compensation);
  const r = await plantOutliersInFolder(modelDir, outDir, { dims, gain, compensation });
  process.stdout.write(
    `SYNTHETIC outliers planted in dims ${r.dims.join(', ')} with gain ${r.gain}${r.compensation === 1 ? '' : `, reading columns divided by gain^${r.compensation}`} (LayerNorm weights inside the encoder times kappa = ${r.kappa.toFixed(3)}).\n` +
      `Exact: ${r.exact.join('; ')}.\nApproximate: ${r.approximate.join('; ')}.\nWritten to ${path.resolve(outDir)}\n`,
  );
}
