import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { expiryTimestamp, parseExpiry } from './expiry.js';

const instant = (text: string): number => {
  const parsed = parseExpiry(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.instant;
};
const problem = (text: string): string => {
  const parsed = parseExpiry(text);
  if (parsed.ok) throw new Error(`${text} was accepted`);
  return parsed.problem;
};

describe('parseExpiry', () => {
  it('reads a date as the whole of that day in UTC (expired from 00:00:00Z the next day)', () => {
    expect(instant('2026-11-30')).toBe(Date.UTC(2026, 11, 1));
    expect(instant('2026-12-31')).toBe(Date.UTC(2027, 0, 1));
    expect(instant('2028-02-29')).toBe(Date.UTC(2028, 2, 1));
    expect(instant('2000-02-29')).toBe(Date.UTC(2000, 2, 1));
  });

  it('reads RFC 3339 times with their offset', () => {
    const utc = Date.UTC(2027, 0, 31, 18, 0, 0);
    expect(instant('2027-01-31T18:00:00Z')).toBe(utc);
    expect(instant('2027-01-31t18:00:00z')).toBe(utc);
    expect(instant('2027-01-31T20:00:00+02:00')).toBe(utc);
    expect(instant('2027-01-31T12:30:00-05:30')).toBe(utc);
    expect(instant('2027-01-31T18:00:00-00:00')).toBe(utc);
    expect(instant('2027-02-01T03:00:00+09:00')).toBe(utc);
    expect(instant('2027-01-31T18:00:00.250Z')).toBe(utc + 250);
    // Below a millisecond is cut off: never later than written.
    expect(instant('2027-01-31T18:00:00.9999999Z')).toBe(utc + 999);
  });

  it.each([
    ['2027-02-30', 'February 2027 has 28 days'],
    ['2027-02-29', 'February 2027 has 28 days'],
    ['1900-02-29', 'February 1900 has 28 days'],
    ['2027-04-31', 'April 2027 has 30 days'],
    ['2027-00-10', 'there is no month 0'],
    ['2027-13-01', 'there is no month 13'],
    ['2027-01-00', 'January 2027 has 31 days'],
    ['2027-02-30T10:00:00Z', 'February 2027 has 28 days'],
    ['2027-01-31T24:00:00Z', 'there is no hour 24'],
    ['2027-01-31T23:60:00Z', 'there is no minute 60'],
    ['2016-12-31T23:59:60Z', 'leap seconds are not accepted'],
    ['2027-01-31T18:00:00+24:00', 'not a time-zone offset'],
    ['2027-01-31T18:00:00+02:60', 'not a time-zone offset'],
    ['2027-01-31T18:00:00', 'no time-zone offset'],
    ['2027-01-31T18:00:00.5', 'no time-zone offset'],
    ['2027-01-31 18:00:00Z', 'not a date or time'],
    ['2027-01-31T18:00Z', 'not a date or time'],
    ['2027-01-31T18:00:00+0200', 'not a date or time'],
    ['2027-1-31', 'not a date or time'],
    ['27-01-31', 'not a date or time'],
    ['2027-01-31Z', 'not a date or time'],
    [' 2027-01-31', 'not a date or time'],
    ['2027-01-31\n', 'not a date or time'],
    ['soon', 'not a date or time'],
    ['', 'not a date or time'],
    ['1767225600000', 'not a date or time'],
    ['9999-12-31', 'too late'],
    ['9999-12-31T23:00:00-02:00', 'outside the years 0000–9999'],
    ['0000-01-01T00:00:00+00:01', 'outside the years 0000–9999'],
  ])('refuses %j (%s)', (text, why) => {
    expect(problem(text)).toContain(why);
    expect(problem(text)).toContain(`expires ${JSON.stringify(text)}`);
  });

  it('agrees with the calendar on every valid date, and refuses every impossible one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9998 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        (year, month, day) => {
          const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          // The calendar of record: Date's UTC arithmetic, which rolls impossible days over into the next month.
          const calendar = new Date(0);
          calendar.setUTCFullYear(year, month - 1, day);
          const real = calendar.getUTCMonth() === month - 1;
          const parsed = parseExpiry(text);
          expect(parsed.ok).toBe(real);
          if (parsed.ok) expect(parsed.instant).toBe(calendar.getTime() + 86_400_000);
        },
      ),
      { numRuns: 3000 },
    );
  });

  describe('does not depend on the machine time zone', () => {
    const original = process.env.TZ;
    afterEach(() => {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    });
    it.each(['UTC', 'Pacific/Kiritimati', 'America/St_Johns', 'Asia/Kathmandu'])('TZ=%s', (zone) => {
      process.env.TZ = zone;
      expect(instant('2027-03-28')).toBe(Date.UTC(2027, 2, 29));
      expect(instant('2027-03-28T01:30:00+01:00')).toBe(Date.UTC(2027, 2, 28, 0, 30));
      expect(expiryTimestamp('2027-03-28')).toBe('2027-03-29T00:00:00Z');
    });
  });
});

describe('expiryTimestamp', () => {
  it('is an RFC 3339 UTC time, the form of a Kubernetes date-time', () => {
    expect(expiryTimestamp('2026-12-31')).toBe('2027-01-01T00:00:00Z');
    expect(expiryTimestamp('2027-01-31T20:00:00+02:00')).toBe('2027-01-31T18:00:00Z');
    expect(expiryTimestamp('2027-01-31T18:00:00.25Z')).toBe('2027-01-31T18:00:00.250Z');
    expect(expiryTimestamp('0001-01-01')).toBe('0001-01-02T00:00:00Z');
    expect(expiryTimestamp('9999-12-30')).toBe('9999-12-31T00:00:00Z');
    expect(() => expiryTimestamp('2027-01-31T18:00:00')).toThrow(/no time-zone offset/);
  });

  it('round-trips: the timestamp parses back to the same instant', () => {
    const date = fc
      .tuple(
        fc.integer({ min: 0, max: 9998 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
      )
      .map(
        ([y, m, d]) =>
          `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
      );
    const offset = fc.oneof(
      fc.constant('Z'),
      fc
        .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([sign, h, m]) => `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
    );
    const time = fc
      .tuple(date, fc.integer({ min: 0, max: 86_399 }), fc.integer({ min: 0, max: 999 }), offset)
      .map(
        ([d, seconds, ms, off]) =>
          `${d}T${[seconds / 3600, (seconds / 60) % 60, seconds % 60].map((n) => String(Math.floor(n)).padStart(2, '0')).join(':')}.${String(ms).padStart(3, '0')}${off}`,
      );
    fc.assert(
      fc.property(fc.oneof(date, time), (text) => {
        const parsed = parseExpiry(text);
        fc.pre(parsed.ok);
        if (!parsed.ok) return;
        const emitted = expiryTimestamp(text);
        expect(emitted).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/);
        expect(instant(emitted)).toBe(parsed.instant);
        // And Date, reading the UTC form, agrees: the arithmetic is the calendar's.
        expect(Date.parse(emitted)).toBe(parsed.instant);
      }),
      { numRuns: 2000 },
    );
  });
});
