import { z } from 'zod';

/** Field rules shared by /v1 and Dingo (Dingo appendix A), so both APIs accept the same values. */
export const UserName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,31}$/,
    'name: letters, digits and _, not starting with a digit, at most 32',
  )
  .describe('user name (Dingo A.1): letters, digits, underscore; not starting with a digit');
export const Tel = z
  .string()
  .regex(/^1\d{10}$/, 'tel: an 11-digit mobile number starting with 1, without +86')
  .describe('mobile number, 11 digits starting with 1, no +86');
export const Email = z.email('email: not a valid address').max(200);
export const RealName = z.string().trim().min(1).max(60);
export const Zip = z.string().regex(/^\d{6}$/, 'zip: 6 digits');
export const AddressText = z.string().trim().min(1).max(300);
export const Password = z.string().min(8, 'password: at least 8 characters').max(200);
