import { test, expect } from '@playwright/test';
import { base32Decode, totp } from './helpers';

// Checks the test suite's own TOTP implementation against RFC 6238 appendix B
// (SHA1 vectors), so that a failing TOTP sign-in points at the server.
test.describe('helper: totp()', () => {
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of "12345678901234567890"

  test('base32 decoding', () => {
    expect(base32Decode(secret).toString('ascii')).toBe('12345678901234567890');
    expect(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq').toString('ascii')).toBe('12345678901234567890');
    expect(base32Decode('MZXW6YQ=').toString('ascii')).toBe('foob');
  });

  const vectors: Array<[number, string]> = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, expected] of vectors) {
    test(`RFC 6238 vector T=${seconds}`, () => {
      expect(totp(secret, seconds * 1000, 8)).toBe(expected);
      expect(totp(secret, seconds * 1000)).toBe(expected.slice(2));
    });
  }
});
