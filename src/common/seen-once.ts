/**
 * The keys of questions asked once, so that an answer is kept only the second time its question is asked:
 * questions asked once (a resident's birth date) would fill a cache with answers nobody asks again. At
 * most `max` keys; when full it is emptied, and a key seen before that counts as new.
 */
export class SeenOnce {
  private readonly keys = new Set<string>();

  constructor(private readonly max: number) {}

  /** True the first time `key` is seen, which is remembered; false the second, which forgets it. */
  firstTime(key: string): boolean {
    if (this.keys.delete(key)) return false;
    if (this.keys.size >= this.max) this.keys.clear();
    this.keys.add(key);
    return true;
  }
}
