// The run set up for the manifest's task: squad and mlm have their own data and heads
// (engine/squad, engine/mlm), the sentence tasks share setup.ts.
import type { GemmBackend } from '../kernels/backend';
import type { Manifest } from '../manifest/types';
import { setupMlmFineTuning } from '../mlm/setup';
import { setupSquadFineTuning } from '../squad/setup';
import { setupSequenceFineTuning } from './sequence-task';
import type { SetupOptions } from './setup';
import type { FineTuningSetup } from './task';

export function setupFineTuning(manifest: Manifest, backend: GemmBackend, o: SetupOptions): Promise<FineTuningSetup> {
  switch (manifest.task.type) {
    case 'squad':
      return setupSquadFineTuning(manifest, backend, o);
    case 'mlm':
      return setupMlmFineTuning(manifest, backend, o);
    default:
      return setupSequenceFineTuning(manifest, backend, o);
  }
}
