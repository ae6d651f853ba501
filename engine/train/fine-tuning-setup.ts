// The run set up for the manifest's task: squad has its own data and head (engine/squad), the
// sentence tasks share setup.ts.
import type { GemmBackend } from '../kernels/backend';
import type { Manifest } from '../manifest/types';
import { setupSquadFineTuning } from '../squad/setup';
import { setupSequenceFineTuning } from './sequence-task';
import type { SetupOptions } from './setup';
import type { FineTuningSetup } from './task';

export function setupFineTuning(manifest: Manifest, backend: GemmBackend, o: SetupOptions): Promise<FineTuningSetup> {
  return manifest.task.type === 'squad' ? setupSquadFineTuning(manifest, backend, o) : setupSequenceFineTuning(manifest, backend, o);
}
