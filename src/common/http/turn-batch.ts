/**
 * Runs the items offered during one phase of the event loop together, in one `setImmediate`
 * callback right after it, in the order they came.
 *
 * Why: Node reads every connection that is ready in its poll phase and, left alone, runs each
 * request's whole path (pre-routing, the platform's router, Nest's pipeline, the write) before it
 * reads the next one, so the code of every stage competes for the CPU's caches with every other
 * stage of the same request. Taken from the poll phase in one batch, the requests of a turn run
 * stage by stage instead: each one's synchronous part back to back, then their promise
 * continuations together. Under load that measured 1.4× the preflights and 2.5× the allowed POSTs
 * per CPU second on this service (docs/performance.md, "Requests in batches"); with one request
 * in a turn it costs one more callback, and a request waits only for the others of its own turn.
 */
export class TurnBatch<T> {
  private pending: T[] = [];

  constructor(
    private readonly run: (item: T) => void,
    /** A throw from `run`: the item's own failure, never the end of the batch. */
    private readonly failed: (item: T, error: unknown) => void,
  ) {}

  add(item: T): void {
    if (this.pending.length === 0) setImmediate(this.flush);
    this.pending.push(item);
  }

  /**
   * A fresh array per batch (one small allocation per turn, not per request): items offered
   * while the batch runs join the next one, and no long-lived array grows and shrinks with the
   * load (see in-flight-list.ts for what that cost).
   */
  private readonly flush = (): void => {
    const batch = this.pending;
    this.pending = [];
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i];
      try {
        this.run(item);
      } catch (error) {
        this.failed(item, error);
      }
    }
  };
}
