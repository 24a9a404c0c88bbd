/**
 * Values stored under small integer handles, each new value taking the lowest free handle as bmv2's
 * `HandleMgr` (a bitmap's first clear bit) hands them out: a dense array of slots and a binary
 * min-heap of the handles freed below the high-water mark, so adds and deletes stay O(log n) when a
 * controller deletes or replaces tens of thousands of entries.
 */
export class HandleTable<T> {
  private slots: (T | undefined)[] = [];
  /** Free handles below `slots.length`, as a binary min-heap. */
  private free: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.slots = [];
    this.free = [];
    this.count = 0;
  }

  get(handle: number): T | undefined {
    return Number.isInteger(handle) && handle >= 0 ? this.slots[handle] : undefined;
  }

  /** The handle the next {@link add} takes: the lowest free one. */
  nextHandle(): number {
    return this.free.length > 0 ? this.free[0] : this.slots.length;
  }

  /** Stores `value` under {@link nextHandle}; returns that handle. */
  add(value: T): number {
    const handle = this.free.length > 0 ? this.popFree() : this.slots.length;
    if (handle === this.slots.length) this.slots.push(value);
    else this.slots[handle] = value;
    this.count++;
    return handle;
  }

  /** Frees a handle; false when nothing is stored under it. */
  delete(handle: number): boolean {
    if (this.get(handle) === undefined) return false;
    this.slots[handle] = undefined;
    this.count--;
    this.pushFree(handle);
    return true;
  }

  /** Stored values in handle order. */
  *values(): IterableIterator<T> {
    for (const v of this.slots) if (v !== undefined) yield v;
  }

  /** {@link values} without an iterator: `visit` is called for each stored value in handle order. */
  forEach(visit: (value: T) => void): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const v = slots[i];
      if (v !== undefined) visit(v);
    }
  }

  private pushFree(handle: number): void {
    const heap = this.free;
    let i = heap.length;
    heap.push(handle);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent] <= handle) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = handle;
  }

  private popFree(): number {
    const heap = this.free;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && heap[r] < heap[l] ? r : l;
        if (heap[c] >= last) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
