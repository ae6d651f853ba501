// `octet profile <manifest>`: where the model's activation outliers are and what they cost int8.
import { loadManifest } from '../manifest/load';
import { formatProfile } from '../profile/format';
import { profileManifest } from '../profile/profile-manifest';
import { createBackend, threadsFrom } from './backend-option';
import { parseCount } from './parse-count';

export interface ProfileCommandOptions {
  batches?: string;
  json?: boolean;
  threads?: string;
  sqnrRows?: string;
}

export async function profileCommand(manifestPath: string, opts: ProfileCommandOptions): Promise<void> {
  const manifest = loadManifest(manifestPath);
  const batches = opts.batches !== undefined ? parseCount(opts.batches, '--batches', 1) : undefined;
  const sqnrRowsPerBatch = opts.sqnrRows !== undefined ? parseCount(opts.sqnrRows, '--sqnr-rows', 0) : undefined;
  const backend = await createBackend(threadsFrom(opts.threads, manifest));
  try {
    const profile = await profileManifest(manifest, backend, {
      batches, sqnrRowsPerBatch,
      onBatch: (done, total) => process.stderr.write(`profiled batch ${done}/${total}\n`),
    });
    process.stdout.write(opts.json ? JSON.stringify(profile) + '\n' : formatProfile(profile) + '\n');
  } finally {
    await backend.dispose();
  }
}
