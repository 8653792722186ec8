/**
 * The failed-sign-in throttle on its own clock: a burst of failures is counted whole wherever it falls (a window
 * aligned to the minute once reset in the middle of a burst, and the eleventh guess got through), the block ends with
 * the key's window, and memory stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../api/middleware/auth-throttle.ts';

function clock(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('failed authentication throttle', () => {
  const keys = ['address:203.0.113.9'];

  it('blocks the eleventh attempt of a burst that crosses a full minute, until the window of its first failure ends', () => {
    const time = clock(59_990); // ten milliseconds before a full minute
    const throttle = new AuthThrottle({ now: time.now });
    for (let i = 0; i < 10; i++) {
      expect(throttle.retryAfterSeconds(keys)).toBe(0);
      throttle.recordFailure(keys);
      time.advance(5);
    }
    expect(throttle.retryAfterSeconds(keys)).toBe(60);
    time.advance(59_000);
    expect(throttle.retryAfterSeconds(keys)).toBe(1);
    time.advance(1_000);
    expect(throttle.retryAfterSeconds(keys)).toBe(0);
  });

  it('counts each key on its own and does not count successes', () => {
    const time = clock(0);
    const throttle = new AuthThrottle({ now: time.now, failuresPerWindow: 3 });
    for (let i = 0; i < 3; i++) throttle.recordFailure(['address:a', 'token:x']);
    expect(throttle.retryAfterSeconds(['address:a'])).toBeGreaterThan(0);
    expect(throttle.retryAfterSeconds(['token:x'])).toBeGreaterThan(0);
    expect(throttle.retryAfterSeconds(['address:b'])).toBe(0);
    expect(throttle.retryAfterSeconds(['address:b', 'token:x'])).toBeGreaterThan(0);
  });

  it('holds at most maxKeys counts and takes new keys again once old windows have ended', () => {
    const time = clock(0);
    const throttle = new AuthThrottle({ now: time.now, failuresPerWindow: 1, maxKeys: 2 });
    throttle.recordFailure(['address:a']);
    throttle.recordFailure(['address:b']);
    throttle.recordFailure(['address:c']); // not counted: the throttle fails open instead of growing
    expect(throttle.retryAfterSeconds(['address:c'])).toBe(0);
    time.advance(60_000);
    throttle.recordFailure(['address:c']);
    expect(throttle.retryAfterSeconds(['address:c'])).toBe(60);
    expect(throttle.retryAfterSeconds(['address:a'])).toBe(0);
  });
});
