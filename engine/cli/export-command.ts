// `octet export <manifest> --onnx OUT.onnx`: the fine-tuned model as ONNX, plus its sidecar.
import { OctetError } from '../errors';
import { exportModel } from '../export/export-model';
import { loadManifest } from '../manifest/load';
import { PRECISION_MODES, type PrecisionMode } from '../nn/precision';
import { chooseModelDir } from './train-commands';

export interface ExportCommandOptions {
  onnx: string;
  checkpoint?: string;
  precision?: string;
  json?: boolean;
}

export async function exportCommand(manifestPath: string, opts: ExportCommandOptions): Promise<void> {
  const precision = opts.precision;
  if (precision !== undefined && !(PRECISION_MODES as readonly string[]).includes(precision)) {
    throw new OctetError('invalid-argument', `unknown precision "${precision}" (${PRECISION_MODES.join(', ')})`, { field: '--precision' });
  }
  const manifest = loadManifest(manifestPath);
  const modelDir = chooseModelDir(manifest.output, manifest.model, opts.checkpoint);
  const r = await exportModel({ manifest, modelDir, onnxFile: opts.onnx, precision: precision as PrecisionMode | undefined });
  for (const n of r.notes) process.stderr.write(`${n}\n`);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ model: modelDir, ...r }) + '\n');
    return;
  }
  process.stdout.write(
    `model ${modelDir}\nwrote ${r.onnxFile} (${(r.bytes / 2 ** 20).toFixed(1)} MiB) and ${r.sidecarFile}\n` +
      `operators: ${r.operators.join(' ')}\n`,
  );
}
