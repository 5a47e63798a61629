/**
 * Work that takes turns per key in this process: each run starts after the previous one for the same key has
 * settled (whether it succeeded or not), and different keys run side by side. The chain of a key is dropped once
 * it is idle. Hand-written: a promise chain per key is a few lines, and no dependency is needed for it.
 */
export class KeyedTurns {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const mine = previous.then(work, work);
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }
}
