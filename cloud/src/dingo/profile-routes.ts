import { LockerError } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../accounts/accounts-module.js';
import { fromShort, toShort } from '../accounts/address-shape.js';
import { parseProfilePhoto } from '../accounts/profile-photo.js';
import { ResidentIdNumber } from '../accounts/resident-id-number.js';
import { DingoEnvelope } from './envelope.js';
import { dingoFields, photoOf } from './form.js';
import { ChangpashForm, GeteaddrForm, IdentifyForm, UpeaddrForm, UsrinfoChangeForm } from './schemas.js';
import { tmpTokenAuth } from './session.js';

const schema = (summary: string) => ({ tags: ['dingo'], summary });

/** The 2016 form's identity fields as the verification service names them. */
function identityOf<P>(
  data: { tel: string; email?: string | undefined; rname: string; prcid: string; addr: string },
  photo: P,
) {
  return {
    tel: data.tel,
    email: data.email,
    realName: data.rname,
    prcId: data.prcid,
    address: data.addr,
    photo,
  };
}

/** Dingo §1.2, 1.3, 1.8-1.11: verification, info change, password change, delivery addresses. */
export async function dingoProfileRoutes(app: FastifyInstance, deps: Accounts): Promise<void> {
  const auth = tmpTokenAuth(deps.sessions);

  app.post(
    '/identify',
    { schema: schema('§1.2 submit identity: tel, email, rname, prcid, pic (file, <= 512 KB), addr') },
    async (req, reply) => {
      const me = await auth(req);
      const { data, form } = await dingoFields(req, IdentifyForm);
      const photo = photoOf(form);
      if (!photo) throw new LockerError('VALIDATION_FAILED', 'pic is required');
      await deps.verification.submit(me.userId, identityOf(data, photo));
      return DingoEnvelope.success(reply, null);
    },
  );

  app.post(
    '/identified',
    { schema: schema('§1.3 verification state: NONE, PENDING, PASSED or REJECTED') },
    async (req, reply) => {
      const me = await auth(req);
      const state = await deps.verification.state(me.userId);
      return DingoEnvelope.success(reply, state.status.toUpperCase());
    },
  );

  app.post(
    '/usrinfochange',
    { schema: schema('§1.8 change info: name, tel, email, rname, prcid, addr, optional pic') },
    async (req, reply) => {
      const me = await auth(req);
      const { data, form } = await dingoFields(req, UsrinfoChangeForm);
      // Refuse bad identity input before anything is written, so a failure changes nothing.
      ResidentIdNumber.parse(data.prcid);
      const photo = photoOf(form);
      if (photo) await parseProfilePhoto(photo);
      await deps.accounts.changeContact(me.userId, { name: data.name, email: data.email });
      await deps.verification.submit(me.userId, identityOf(data, photo));
      return DingoEnvelope.success(reply, null);
    },
  );

  app.post(
    '/changpash',
    { schema: schema('§1.9 change password: new pash; every TMP-TOKEN of the account is revoked') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, ChangpashForm);
      await deps.accounts.changePassword(me.userId, data.pash);
      return DingoEnvelope.success(reply, null);
    },
  );

  app.post(
    '/upeaddr',
    { schema: schema('§1.10 address: opt=AF adds (or changes, with aid), opt=DEL deletes aid') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, UpeaddrForm);
      let aid: string;
      if (data.opt === 'DEL') aid = await deps.addresses.remove(me.userId, data.aid);
      else if (data.aid) aid = await deps.addresses.change(me.userId, data.aid, fromShort(data));
      else aid = await deps.addresses.add(me.userId, fromShort(data));
      return DingoEnvelope.success(reply, aid);
    },
  );

  app.post(
    '/geteaddr',
    { schema: schema('§1.11 your delivery addresses (JSON list)') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, GeteaddrForm);
      if (data.uid && data.uid !== me.userId) {
        throw new LockerError('FORBIDDEN', "another user's addresses are private");
      }
      const list = (await deps.addresses.list(me.userId)).map((a) => {
        const { id, ...rest } = toShort(a);
        return { aid: id, ...rest };
      });
      return DingoEnvelope.success(reply, list);
    },
  );
}
