// The onnxruntime backend for a command, with the thread count from --threads or the manifest.
import { OrtBackend } from '../kernels/ort-backend';
import type { Manifest } from '../manifest/types';

export function threadsFrom(cliThreads: string | undefined, manifest?: Manifest): number | undefined {
  if (cliThreads !== undefined) return Number(cliThreads);
  return manifest?.train.threads;
}

export function createBackend(threads: number | undefined): Promise<OrtBackend> {
  return OrtBackend.create({ threads });
}
