import type { CloudServer } from '@locker/cloud';

export interface BenchUser {
  id: string;
  tel: string;
  auth: { authorization: string };
}

/** A registered, logged-in user with a phone number (their user number at a cabinet), through the API. */
export async function makeBenchUser(cloud: CloudServer, name: string, tel: string): Promise<BenchUser> {
  const password = 'bench-password';
  const reg = await cloud.app.inject({ method: 'POST', url: '/v1/accounts', payload: { name, password } });
  const { id } = reg.json() as { id: string };
  const login = await cloud.app.inject({
    method: 'POST',
    url: '/v1/sessions',
    payload: { login: name, password },
  });
  const auth = { authorization: `Bearer ${(login.json() as { token: string }).token}` };
  await cloud.app.inject({ method: 'PATCH', url: '/v1/me', headers: auth, payload: { tel } });
  return { id, tel, auth };
}
