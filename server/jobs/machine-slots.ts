// Machine-wide limits on jobs, shared by every Octet daemon of the user (one per editor window):
// at most `limit` jobs at once, and one at a time per manifest (two runs writing one run folder
// would corrupt it). Each slot is a lock file holding the owning daemon's process id; a lock whose
// process is gone (a crashed daemon) is stale and taken over.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface SlotLease {
  release(): void;
}

export interface Slots {
  /** A lease for a job of `manifestPath`, or undefined while none is free. */
  tryAcquire(manifestPath: string): SlotLease | undefined;
}

/** The default lock folder: per user, in the temp folder; OCTET_JOB_SLOTS_DIR overrides it. */
export function defaultSlotsDir(): string {
  const fromEnv = process.env.OCTET_JOB_SLOTS_DIR;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  let user = 'user';
  try {
    user = os.userInfo().username.replace(/[^\w.-]/g, '_') || user;
  } catch {
    // No user name (some containers): one folder for all.
  }
  return path.join(os.tmpdir(), `octet-job-slots-${user}`);
}

export class MachineSlots implements Slots {
  constructor(
    private readonly dir: string,
    private readonly limit: () => number,
  ) {}

  tryAcquire(manifestPath: string): SlotLease | undefined {
    mkdirSync(this.dir, { recursive: true });
    const key = createHash('sha256').update(path.resolve(manifestPath)).digest('hex').slice(0, 24);
    const releaseManifest = tryLock(path.join(this.dir, `manifest-${key}.lock`));
    if (releaseManifest === undefined) return undefined;
    for (let i = 0; i < Math.max(1, this.limit()); i++) {
      const releaseSlot = tryLock(path.join(this.dir, `slot-${i}.lock`));
      if (releaseSlot !== undefined) {
        let released = false;
        return {
          release: () => {
            if (released) return;
            released = true;
            releaseSlot();
            releaseManifest();
          },
        };
      }
    }
    releaseManifest();
    return undefined;
  }
}

/** Creates the lock file, taking over a stale one; undefined when another live process holds it. */
export function tryLock(file: string): (() => void) | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!isStale(file) || !removeStale(file)) return undefined;
    }
  }
  return undefined;
}

/** Moves a stale lock aside atomically; if what was moved turns out live (a race), puts it back. */
function removeStale(file: string): boolean {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(file, aside);
  } catch {
    return true; // Someone else removed it first: try to create it again.
  }
  if (!isStale(aside)) {
    try {
      renameSync(aside, file);
    } catch {
      // Lost either way; the live owner still runs its job.
    }
    return false;
  }
  rmSync(aside, { force: true });
  return true;
}

function isStale(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return true;
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) {
    // Possibly being written right now: only stale once it has sat unreadable for a while.
    try {
      return Date.now() - statSync(file).mtimeMs > 10_000;
    } catch {
      return true;
    }
  }
  return !processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
