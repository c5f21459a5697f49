/** What a member of an InFlightList carries: its own links, so joining and leaving allocate nothing. */
export interface InFlightLinks<T> {
  prevInFlight: T | undefined;
  nextInFlight: T | undefined;
}

/**
 * The requests in flight, as a doubly linked list threaded through the members themselves.
 *
 * Why not a Set: a long-lived Set lives in V8's old space, and a Set whose size swings with the
 * load (0 → 50 → 0 in-flight requests, thousands of times a second) rehashes into a new backing
 * table on every grow and shrink; V8 allocates those tables in old space, next to the Set. Under
 * a preflight flood that was 15 MiB of old-space garbage in 8 s (sampling heap profile, objects
 * kept until a major GC), which only a mark-compact reclaims: the process's RSS grew ~5 MiB/s
 * while the NestJS reference stayed flat. Linking and unlinking writes two fields instead.
 */
export class InFlightList<T extends InFlightLinks<T>> {
  private head: T | undefined = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    item.prevInFlight = undefined;
    item.nextInFlight = this.head;
    if (this.head !== undefined) this.head.prevInFlight = item;
    this.head = item;
    this.count++;
  }

  /** Removes a member; one not in the list (or already removed) is left alone. */
  remove(item: T): void {
    const { prevInFlight: prev, nextInFlight: next } = item;
    if (prev === undefined && this.head !== item) return;
    if (prev !== undefined) prev.nextInFlight = next;
    else this.head = next;
    if (next !== undefined) next.prevInFlight = prev;
    item.prevInFlight = undefined;
    item.nextInFlight = undefined;
    this.count--;
  }

  /** The members, newest first, copied: the callers may remove members while they go through them. */
  toArray(): T[] {
    const items: T[] = [];
    for (let item = this.head; item !== undefined; item = item.nextInFlight) items.push(item);
    return items;
  }
}
