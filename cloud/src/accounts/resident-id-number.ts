import { LockerError } from '@locker/protocol';

/** Weights of the first 17 digits in GB 11643-1999 (2^(17-i) mod 11). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/**
 * A PRC resident identity number: 18 characters, 17 digits and an ISO 7064 MOD 11-2 check
 * character (a digit or an upper-case X), with a plausible birth date in positions 7-14.
 */
export const ResidentIdNumber = {
  isValid(value: string): boolean {
    if (!/^\d{17}[\dX]$/.test(value)) return false;
    const y = Number(value.slice(6, 10));
    const m = Number(value.slice(10, 12));
    const d = Number(value.slice(12, 14));
    const birth = new Date(Date.UTC(y, m - 1, d));
    if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth > new Date()) {
      return false;
    }
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(value[i]) * (WEIGHTS[i] as number);
    return CHECK_CHARS[sum % 11] === value[17];
  },

  /** Returns the number or throws ID_NUMBER_INVALID; the number itself stays out of the message. */
  parse(value: string): string {
    if (!ResidentIdNumber.isValid(value)) {
      throw new LockerError(
        'ID_NUMBER_INVALID',
        'identity number must be 18 characters with a valid birth date and check character (X upper-case)',
      );
    }
    return value;
  },

  /** Appends the check character to 17 digits (used by tests and tools). */
  withCheck(first17: string): string {
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number);
    return first17 + CHECK_CHARS[sum % 11];
  },
};
