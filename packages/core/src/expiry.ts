/**
 * Exception expiry: a date (`YYYY-MM-DD`: the exception applies through that whole day in UTC and stops at
 * 00:00:00Z the next day) or an RFC 3339 time with an offset (`Z` or `±hh:mm`), from which the exception stops
 * applying. Anything else is refused, so one file gives the same verdict on every machine and every backend:
 *
 * - A time without an offset would be read in each machine's local time; it is refused, not guessed.
 * - Impossible dates and times (`2027-02-30`, `24:00`, leap second `:60`, which Go and so Kubernetes cannot read)
 *   are refused instead of rolling over to another day.
 *
 * The arithmetic is done here, never by `Date.parse` or local-time APIs, so the result does not depend on the
 * machine's time zone; backends emit the instant as an RFC 3339 UTC time (`expiryTimestamp`).
 */

export type ParsedExpiry = { ok: true; instant: number } | { ok: false; problem: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/;

const MS_PER_DAY = 86_400_000;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), no Date involved. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** RFC 3339 has four-digit years: instants outside years 0000–9999 cannot be emitted. */
const EARLIEST = daysFromCivil(0, 1, 1) * MS_PER_DAY;
const END = daysFromCivil(10_000, 1, 1) * MS_PER_DAY;

const FORMS =
  'use a date (YYYY-MM-DD: the exception applies through that day in UTC) or an RFC 3339 time with an offset ' +
  '(2027-01-31T18:00:00Z or 2027-01-31T18:00:00+02:00)';

function dateProblem(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  return undefined;
}

/** The instant (milliseconds since the epoch, UTC) from which an exception with this expiry no longer applies. */
export function parseExpiry(text: string): ParsedExpiry {
  const fail = (why: string): ParsedExpiry => ({
    ok: false,
    problem: `expires ${JSON.stringify(text)}: ${why}`,
  });
  const date = DATE.exec(text);
  if (date) {
    const [year, month, day] = [date[1], date[2], date[3]].map(Number) as [number, number, number];
    const problem = dateProblem(year, month, day);
    if (problem) return fail(problem);
    const instant = (daysFromCivil(year, month, day) + 1) * MS_PER_DAY;
    if (instant >= END)
      return fail('too late: the last expiry date is 9999-12-30 (leave expires out instead)');
    return { ok: true, instant };
  }
  const time = DATE_TIME.exec(text);
  if (!time) return fail(`not a date or time; ${FORMS}`);
  const [year, month, day, hour, minute, second] = time.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = time[7];
  const offset = time[8];
  if (offset === undefined) {
    return fail(
      `no time-zone offset, so each machine would read it in its own local time; add Z (UTC) or ±hh:mm, or ${FORMS}`,
    );
  }
  const problem = dateProblem(year, month, day);
  if (problem) return fail(problem);
  if (hour > 23) return fail(`there is no hour ${hour} (00–23)`);
  if (minute > 59) return fail(`there is no minute ${minute} (00–59)`);
  if (second > 59) return fail(`there is no second ${second} (00–59; leap seconds are not accepted)`);
  let offsetMinutes = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const offsetHours = Number(offset.slice(1, 3));
    const offsetMins = Number(offset.slice(4, 6));
    if (offsetHours > 23 || offsetMins > 59) return fail(`the offset ${offset} is not a time-zone offset`);
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  // Below a millisecond the fraction is cut off: the exception ends at most 1 ms early, never late.
  const milliseconds = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const instant =
    daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    milliseconds;
  if (instant < EARLIEST || instant >= END) return fail('outside the years 0000–9999 in UTC');
  return { ok: true, instant };
}

/** The instant of a valid expiry; throws with the problem for an invalid one (callers that bypassed the schema). */
export function expiryInstant(text: string): number {
  const parsed = parseExpiry(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.instant;
}

/** The expiry as an RFC 3339 UTC time (`2027-02-01T00:00:00Z`), the form Kubernetes `date-time` fields take. */
export function expiryTimestamp(text: string): string {
  // toISOString always prints UTC with four-digit years for 0000–9999 (the range parseExpiry admits).
  return new Date(expiryInstant(text)).toISOString().replace('.000Z', 'Z');
}
