// What a run was made with, saved next to its results: enough to reproduce it or explain it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GemmBackend } from '../kernels/backend';
import { detectCpuFeatures } from '../kernels/cpu-features';
import type { Manifest } from '../manifest/types';
import type { FineTuningSetup } from './task';

function packageVersion(name: string): string {
  try {
    const pkg = require.resolve(`${name}/package.json`, { paths: [process.cwd(), __dirname] });
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function octetVersion(): string {
  for (const dir of [path.join(__dirname, '..'), path.join(__dirname, '..', '..'), path.join(__dirname, '..', '..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
      if (pkg.name === 'octet') return pkg.version;
    } catch {
      // try the next folder up: the layout differs between dist/ and out/
    }
  }
  return 'unknown';
}

export function runInfo(manifest: Manifest, backend: GemmBackend, setup: FineTuningSetup): Record<string, unknown> {
  const { task } = setup;
  return {
    seed: manifest.train.seed,
    mode: manifest.precision.mode,
    task: task.type,
    id2label: setup.id2label,
    startedAt: new Date().toISOString(),
    versions: { octet: octetVersion(), node: process.version, onnxruntime: packageVersion('onnxruntime-node') },
    backend: backend.name,
    cpu: detectCpuFeatures(),
    model: manifest.model,
    trainExamples: task.trainSize,
    evalExamples: task.evalSize,
    truncatedExamples: task.truncatedExamples,
    notes: setup.notes,
  };
}
