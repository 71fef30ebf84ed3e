import type { FastifyInstance } from 'fastify';
import { DingoClient, sha256hex, uniqueName } from './accounts-helpers.js';

export type DingoRes = { statusCode: number; headers: Record<string, unknown>; body: string };
/** The envelope of a failure: HTTP status, STATUS header and the reason code in the body. */
export const dingoFailure = (res: DingoRes) => [res.statusCode, res.headers.status, res.body];

/** A registered, logged-in Dingo user. */
export async function dingoUser(app: FastifyInstance): Promise<{ client: DingoClient; id: string }> {
  const client = new DingoClient(app);
  const name = uniqueName('dingo_task');
  const password = `pw-${name}`;
  const reg = await client.post('/regist', { name, pash: sha256hex(password) });
  if (reg.headers.status !== 'SUCCESS') throw new Error(`regist failed: ${reg.body}`);
  const login = await client.login('name', name, password);
  if (login.headers.status !== 'SUCCESS') throw new Error(`login failed: ${login.body}`);
  return { client, id: reg.body };
}

/** The form of a valid task near Xi'an; `over` replaces or adds fields. */
export const taskForm = (over: Record<string, string> = {}): Record<string, string> => ({
  ew: '108.94',
  ns: '34.26',
  r: '3000',
  wei: '1.5',
  size: '(30,20,10)',
  cost: '500',
  note: 'fragile',
  intr: 'a parcel at the north gate',
  ...over,
});
