// Runs one profile in a child process (profile-worker.ts) and answers its ActivationProfile.
// Cancelling kills the child: a profile has nothing worth saving halfway. Its stdout and stderr
// go to the server's log, since the server's own stdout may be the LSP channel.
import { fork } from 'node:child_process';
import * as os from 'node:os';
import type { ActivationProfile } from '../../engine/profile/types';
import { withHugePageMalloc } from '../../engine/perf/allocator-env';
import { onLines } from '../jobs/line-reader';
import type { ProfileRequest, ProfileResponse } from './profile-messages';

/** The profile child yields to the editor and the server, like a job (jobs/job-process.ts). */
const PROFILE_NICENESS = 10;

export class ProfileCancelled extends Error {
  constructor() {
    super('profile cancelled');
  }
}

export function runProfileProcess(workerPath: string, request: ProfileRequest, signal: AbortSignal, log: (line: string) => void): Promise<ActivationProfile> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new ProfileCancelled());
      return;
    }
    // execArgv: [] so that a server started under --inspect does not make the child fight for the port.
    const child = fork(workerPath, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [], env: withHugePageMalloc() });
    try {
      if (child.pid !== undefined) os.setPriority(child.pid, PROFILE_NICENESS);
    } catch {
      // Not permitted on this system: run at the server's priority.
    }
    onLines(child.stdout!, (line) => log(`[profile] ${line}`));
    onLines(child.stderr!, (line) => log(`[profile] ${line}`));
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      settle(() => reject(new ProfileCancelled()));
    };
    signal.addEventListener('abort', onAbort);
    child.on('message', (response: ProfileResponse) => {
      settle(() => (response.ok ? resolve(response.profile) : reject(new Error(response.message))));
    });
    child.on('error', (e) => settle(() => reject(e)));
    child.on('exit', (code, sig) => settle(() => reject(new Error(`the profiling process ended without an answer (${sig ?? `code ${code}`})`))));
    child.send(request);
  });
}
