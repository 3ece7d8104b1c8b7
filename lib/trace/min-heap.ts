/** A binary min-heap over items keyed by a tuple of numbers, compared left to right. */

export interface Keyed {
  key: readonly number[];
}

export class MinHeap<T extends Keyed> {
  private readonly items: T[] = [];

  static compare(a: Keyed, b: Keyed): number {
    for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
      const d = (a.key[i] ?? 0) - (b.key[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = items[parent];
      if (!up || MinHeap.compare(up, item) <= 0) break;
      items[i] = up;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      let smallestItem = last;
      const l = items[left];
      if (l && MinHeap.compare(l, smallestItem) < 0) {
        smallest = left;
        smallestItem = l;
      }
      const r = items[right];
      if (r && MinHeap.compare(r, smallestItem) < 0) {
        smallest = right;
        smallestItem = r;
      }
      if (smallest === i) break;
      items[i] = smallestItem;
      i = smallest;
    }
    items[i] = last;
    return top;
  }
}
