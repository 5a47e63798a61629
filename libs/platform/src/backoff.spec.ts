import { backoff } from './backoff';

describe('backoff', () => {
  it('starts at base, doubles each attempt and stops at the cap', () => {
    const delay = backoff({ base: 100, cap: 2_000 });
    expect([1, 2, 3, 4, 5, 6, 50, 10_000].map(delay)).toEqual([100, 200, 400, 800, 1_600, 2_000, 2_000, 2_000]);
  });

  it('treats attempts below one as the first and stays finite without a cap', () => {
    const delay = backoff({ base: 1_000, cap: Infinity });
    expect(delay(0)).toBe(1_000);
    expect(delay(-3)).toBe(1_000);
    expect(delay(3)).toBe(4_000);
    expect(Number.isFinite(delay(5_000))).toBe(true);
  });

  it('spreads the delay by the jitter fraction around its value', () => {
    expect(backoff({ base: 1_000, cap: 60_000, jitter: 0.5, random: () => 0 })(1)).toBe(750);
    expect(backoff({ base: 1_000, cap: 60_000, jitter: 0.5, random: () => 0.999_999 })(1)).toBeCloseTo(1_250, 2);
    expect(backoff({ base: 1_000, cap: 4_000, jitter: 0.5, random: () => 0.5 })(10)).toBe(4_000);
  });

  it('refuses nonsense options', () => {
    expect(() => backoff({ base: -1, cap: 10 })).toThrow(RangeError);
    expect(() => backoff({ base: 1, cap: 10, jitter: 2 })).toThrow(RangeError);
    expect(() => backoff({ base: Number.NaN, cap: 10 })).toThrow(RangeError);
  });
});
