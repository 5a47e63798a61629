import { ExpiringCache } from './expiring-cache';

class ManualClock {
  at = 1_000_000;
  now(): Date {
    return new Date(this.at);
  }
}

describe('ExpiringCache', () => {
  const setUp = () => {
    const clock = new ManualClock();
    const cache = new ExpiringCache<number>(clock, 10_000);
    let loads = 0;
    const load =
      (value = 1) =>
      () => {
        loads += 1;
        return Promise.resolve(value);
      };
    return { clock, cache, load, loads: () => loads };
  };

  it('loads once per library while fresh, and again once expired', async () => {
    const { clock, cache, load, loads } = setUp();
    expect(await cache.get('a', load(1))).toBe(1);
    expect(await cache.get('a', load(2))).toBe(1);
    expect(await cache.get('b', load(3))).toBe(3);
    expect(loads()).toBe(2);
    clock.at += 10_001;
    expect(await cache.get('a', load(4))).toBe(4);
    expect(loads()).toBe(3);
  });

  it('shares one load between concurrent readers, and loads again after drop', async () => {
    const { cache, load, loads } = setUp();
    const [x, y] = await Promise.all([cache.get('a', load(1)), cache.get('a', load(2))]);
    expect([x, y, loads()]).toEqual([1, 1, 1]);
    cache.drop('a');
    expect(await cache.get('a', load(5))).toBe(5);
  });

  it('keeps no failed load: the next reader loads again', async () => {
    const { cache } = setUp();
    await expect(cache.get('a', () => Promise.reject(new Error('database away')))).rejects.toThrow('database away');
    expect(await cache.get('a', () => Promise.resolve(7))).toBe(7);
  });
});
