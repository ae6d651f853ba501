// The profile of a project: the manifest's model and training data, its precision settings and
// its profile criteria. What `octet profile` runs and what the language server will call.
import { readSyntheticNote } from '../fixtures/synthetic-note';
import type { GemmBackend } from '../kernels/backend';
import type { Manifest } from '../manifest/types';
import { setupFineTuning } from '../train/fine-tuning-setup';
import { calibrationIndices, checkBatchCount } from './calibration';
import { profileModel } from './profile-model';
import type { ActivationProfile } from './types';

export interface ProfileManifestOptions {
  /** Calibration batches; default the manifest's profile.batches. */
  batches?: number;
  /** Output rows per batch and layer in the SQNR sums; 0 = all. */
  sqnrRowsPerBatch?: number;
  onBatch?: (done: number, total: number) => void;
}

export async function profileManifest(manifest: Manifest, backend: GemmBackend, o: ProfileManifestOptions = {}): Promise<ActivationProfile> {
  const count = o.batches ?? manifest.profile.batches;
  // Check the count before the (slower) model and data loading.
  checkBatchCount(count);
  const setup = await setupFineTuning(manifest, backend, { loadTrain: true, loadEval: false });
  const t = manifest.train;
  // The task's own training inputs (sentences, squad windows, mlm sequences), as epoch 0 has them.
  const batches = calibrationIndices(setup.task.trainSize, t.batchSize, t.seed, count).map((indices) => setup.task.trainBatch(indices, 0).input);
  const p = manifest.precision;
  return profileModel(setup.model, {
    batches,
    vocab: setup.tokenizer.vocab.idToToken,
    criteria: { sqnrGapDb: manifest.profile.criteria.sqnrGapDb },
    threshold: { gamma: p.threshold, units: p.thresholdUnits },
    sqnrRowsPerBatch: o.sqnrRowsPerBatch,
    source: {
      manifestPath: manifest.manifestPath, modelDir: manifest.model, synthetic: readSyntheticNote(manifest.model),
      batchSize: t.batchSize, maxSeqLength: t.maxSeqLength,
    },
    onBatch: o.onBatch,
  });
}
