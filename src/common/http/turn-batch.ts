/**
 * Runs the items offered during one phase of the event loop together, in one `setImmediate`
 * callback right after it, in the order they came.
 *
 * Why: Node reads every connection that is ready in its poll phase and, left alone, runs each
 * request's whole path (pre-routing, the platform's router, Nest's pipeline, the write) before it
 * reads the next one. Taken from the poll phase in one batch, the requests of a turn run stage by
 * stage instead: each one's synchronous part back to back, then their promise continuations
 * together. Under load that measured ~1.4× the preflights and ~2.5× the allowed POSTs per CPU
 * second on this service (docs/performance.md, "Requests in batches"); with one request in a turn
 * it costs one more callback, and a request waits only for the others of its own turn.
 */
export class TurnBatch<T> {
  /**
   * Two slot arrays that take turns and never shrink: one collects while the other runs, so
   * items offered while a batch runs join the next one, and no array is allocated per turn (each
   * turn's `setImmediate` is the one allocation, ~0.1 KB).
   */
  private collecting: (T | undefined)[] = [];
  private running: (T | undefined)[] = [];
  private count = 0;

  constructor(
    private readonly run: (item: T) => void,
    /** A throw from `run`: the item's own failure, never the end of the batch. */
    private readonly failed: (item: T, error: unknown) => void,
  ) {}

  add(item: T): void {
    if (this.count === 0) setImmediate(this.flush);
    if (this.count < this.collecting.length) this.collecting[this.count] = item;
    else this.collecting.push(item);
    this.count++;
  }

  private readonly flush = (): void => {
    const batch = this.collecting;
    const size = this.count;
    this.collecting = this.running;
    this.running = batch;
    this.count = 0;
    for (let i = 0; i < size; i++) {
      const item = batch[i] as T;
      // Not kept past its turn: the slot would hold the request until the next batch this big.
      batch[i] = undefined;
      try {
        this.run(item);
      } catch (error) {
        this.failed(item, error);
      }
    }
  };
}
