import { z } from 'zod';
import { AddressText, Email, RealName, Tel, UserName, Zip } from '../accounts/fields.js';
import { AddressId, UserId } from '../accounts/ids.js';
import { Pash } from '../accounts/pash.js';

/** Form fields of the 2016 routes, named as the Dingo document names them. */
export const RegistForm = z.object({
  name: UserName,
  pash: Pash,
  tel: Tel.optional(),
  email: Email.optional(),
});

export const LoginForm = z.object({
  id: UserId.optional(),
  tel: Tel.optional(),
  name: UserName.optional(),
  pash: z.string().min(1),
});

export const IdentifyForm = z.object({
  tel: Tel,
  email: Email.optional(),
  rname: RealName,
  prcid: z.string(),
  addr: AddressText,
});

export const UsrinfoChangeForm = IdentifyForm.extend({ name: UserName, email: Email });

export const ChangpashForm = z.object({ pash: Pash });

export const OptionalIdForm = z.object({ id: UserId.optional() });

export const GeteaddrForm = z.object({ uid: UserId.optional() });

const short = z.string().max(120).optional();
export const UpeaddrForm = z.discriminatedUnion('opt', [
  z.object({
    opt: z.literal('AF'),
    aid: AddressId.optional(),
    addr: AddressText,
    zip: Zip,
    p: short,
    c: short,
    d: short,
    b: short,
    v: short,
  }),
  z.object({ opt: z.literal('DEL'), aid: AddressId }),
]);
