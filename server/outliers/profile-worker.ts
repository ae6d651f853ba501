// The profiling child process (bundled as dist/profile-worker.js, forked by profile-process.ts).
// It runs the same profileManifest as `octet profile` on the manifest text it is sent and sends
// the ActivationProfile back over the IPC channel. A separate process, not a worker thread:
// onnxruntime's native code then cannot stall or crash the language server, and cancelling is
// killing the process. Its stdout is a pipe the server logs, never the LSP channel.
import { OrtBackend } from '../../engine/kernels/ort-backend';
import { parseManifest } from '../../engine/manifest';
import { profileManifest } from '../../engine/profile/profile-manifest';
import type { ProfileRequest, ProfileResponse } from './profile-messages';

async function profile(request: ProfileRequest): Promise<ProfileResponse> {
  try {
    const manifest = parseManifest(request.manifestText, request.manifestPath);
    const backend = await OrtBackend.create({ threads: request.threads });
    try {
      const result = await profileManifest(manifest, backend, { batches: request.batches, sqnrRowsPerBatch: request.sqnrRowsPerBatch });
      return { ok: true, profile: result };
    } finally {
      await backend.dispose();
    }
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

process.once('message', (request: ProfileRequest) => {
  void profile(request).then((response) => {
    // Exit once the answer is out: the server waits for the message, not for the exit.
    process.send!(response, () => process.exit(0));
  });
});
// The parent went away (server crashed or was killed): do not linger.
process.on('disconnect', () => process.exit(0));
