// Cancellation of a semantic check run: a newer edit makes the running check pointless, so it
// stops at its next await instead of finishing and publishing stale results.

export class CheckCancelled extends Error {
  constructor() {
    super('semantic check cancelled');
    this.name = 'CheckCancelled';
  }
}

export class CheckToken {
  private cancelled = false;

  cancel(): void {
    this.cancelled = true;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Call after each await: throws CheckCancelled once a newer run has replaced this one. */
  throwIfCancelled(): void {
    if (this.cancelled) throw new CheckCancelled();
  }
}
