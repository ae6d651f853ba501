// What the language server and its profiling child (profile-worker.ts) send each other over IPC.
import type { ActivationProfile } from '../../engine/profile/types';

export interface ProfileRequest {
  manifestText: string;
  /** Absolute path of the manifest: relative paths in it resolve against its folder. */
  manifestPath: string;
  batches: number;
  sqnrRowsPerBatch: number;
  /** onnxruntime intra-op threads; undefined = onnxruntime's default. */
  threads: number | undefined;
}

export type ProfileResponse = { ok: true; profile: ActivationProfile } | { ok: false; message: string };
