// The daemon's job queue: first come, first served, one job at a time per manifest, each job
// started only once the machine-wide slots (machine-slots.ts) give it a lease. A job can wait on
// another daemon's lock, which sends no news here, so while anything waits the queue looks again
// every `retryMs`.
import type { SlotLease, Slots } from './machine-slots';

export interface Schedulable {
  /** Jobs with the same key never run at once (the manifest's path). */
  readonly key: string;
}

export class JobScheduler<T extends Schedulable> {
  private readonly waiting: T[] = [];
  private readonly runningKeys = new Set<string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly slots: Slots,
    /** Runs the job; the lease is released when the returned promise settles. */
    private readonly launch: (item: T) => Promise<void>,
    private readonly onError: (item: T, error: unknown) => void,
    private readonly retryMs = 500,
  ) {}

  enqueue(item: T): void {
    this.waiting.push(item);
    this.pump();
  }

  /** Takes a waiting job out of the queue; false when it is not waiting (running or gone). */
  remove(item: T): boolean {
    const index = this.waiting.indexOf(item);
    if (index < 0) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  dispose(): void {
    this.disposed = true;
    this.waiting.length = 0;
    clearTimeout(this.retryTimer);
  }

  private pump(): void {
    if (this.disposed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const item of [...this.waiting]) {
      if (this.runningKeys.has(item.key)) continue;
      let lease: SlotLease | undefined;
      try {
        lease = this.slots.tryAcquire(item.key);
      } catch (e) {
        this.remove(item);
        this.onError(item, e);
        continue;
      }
      if (lease === undefined) continue;
      this.remove(item);
      this.run(item, lease);
    }
    if (this.waiting.length > 0) {
      this.retryTimer = setTimeout(() => this.pump(), this.retryMs);
      this.retryTimer.unref();
    }
  }

  private run(item: T, lease: SlotLease): void {
    this.runningKeys.add(item.key);
    const finish = (): void => {
      lease.release();
      this.runningKeys.delete(item.key);
      this.pump();
    };
    let running: Promise<void>;
    try {
      running = this.launch(item);
    } catch (e) {
      running = Promise.reject(e);
    }
    running.catch((e: unknown) => this.onError(item, e)).finally(finish);
  }
}
