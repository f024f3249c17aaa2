/**
 * Parsed trees per document, least recently used first out. WASM memory is not garbage collected,
 * so every tree that leaves the cache — evicted, replaced by a newer version, or closed — is
 * `delete()`d here, and nowhere else.
 */
export interface Deletable {
  delete(): void;
}

export interface CachedTree<T> {
  version: number;
  tree: T;
}

export class TreeCache<T extends Deletable> {
  // A Map iterates in insertion order; re-inserting on use makes the first key the least recent.
  private readonly entries = new Map<string, CachedTree<T>>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError('TreeCache capacity must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The tree for exactly this version, or undefined. Marks the document as recently used. */
  get(uri: string, version: number): T | undefined {
    const e = this.entries.get(uri);
    if (!e || e.version !== version) return undefined;
    this.entries.delete(uri);
    this.entries.set(uri, e);
    return e.tree;
  }

  /** Remove the entry and hand ownership of its tree to the caller (who must delete it). */
  take(uri: string): CachedTree<T> | undefined {
    const e = this.entries.get(uri);
    if (e) this.entries.delete(uri);
    return e;
  }

  set(uri: string, version: number, tree: T): void {
    const old = this.entries.get(uri);
    if (old) {
      this.entries.delete(uri);
      if (old.tree !== tree) old.tree.delete();
    }
    this.entries.set(uri, { version, tree });
    while (this.entries.size > this.capacity) {
      const [lruKey, lru] = this.entries.entries().next().value as [string, CachedTree<T>];
      this.entries.delete(lruKey);
      lru.tree.delete();
    }
  }

  delete(uri: string): void {
    this.take(uri)?.tree.delete();
  }

  clear(): void {
    for (const e of this.entries.values()) e.tree.delete();
    this.entries.clear();
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}
