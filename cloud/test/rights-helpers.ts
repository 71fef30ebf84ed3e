import type { FastifyInstance } from 'fastify';
import { loginV1, registerV1, uniqueName } from './accounts-helpers.js';
import { ADMIN_TOKEN } from './helpers.js';

export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** A registered, logged-in user with a phone number (their user number at the cabinet). */
export async function userWithTel(app: FastifyInstance, tel: string, name = uniqueName('u')) {
  const user = await registerV1(app, name);
  const token = await loginV1(app, user.name, user.password);
  const auth = { authorization: `Bearer ${token}` };
  const res = await app.inject({ method: 'PATCH', url: '/v1/me', headers: auth, payload: { tel } });
  if (res.statusCode !== 200) throw new Error(`tel failed: ${res.body}`);
  return { ...user, tel, token, auth };
}

/** A cabinet registered as a site, with boxes of the given sizes (`{'01': 'large'}`). */
export async function siteWithBoxes(app: FastifyInstance, siteNo: string, boxes: Record<string, string>) {
  const nos = Object.keys(boxes);
  const cab = await app.inject({
    method: 'POST',
    url: '/v1/admin/cabinets',
    headers: admin,
    payload: { id: siteNo, name: `Cabinet ${siteNo}`, boxes: nos },
  });
  if (cab.statusCode !== 201) throw new Error(`cabinet failed: ${cab.body}`);
  const site = await app.inject({
    method: 'PUT',
    url: `/v1/admin/sites/${siteNo}`,
    headers: admin,
    payload: { name: `Site ${siteNo}`, address: '1 Gate Road', location: { lat: 34.2, lon: 108.9 } },
  });
  if (site.statusCode !== 200) throw new Error(`site failed: ${site.body}`);
  const put = await app.inject({
    method: 'PUT',
    url: `/v1/admin/sites/${siteNo}/boxes`,
    headers: admin,
    payload: { boxes: nos.map((boxNo) => ({ boxNo, size: boxes[boxNo] })) },
  });
  if (put.statusCode !== 200) throw new Error(`boxes failed: ${put.body}`);
}

export const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
