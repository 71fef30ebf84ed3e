/** A person with a phone talking to the cloud's /v1 API over real HTTP. */
export class PhoneUser {
  private constructor(
    readonly httpUrl: string,
    readonly id: string,
    readonly tel: string,
    private readonly token: string,
  ) {}

  static async register(httpUrl: string, name: string, tel: string): Promise<PhoneUser> {
    const password = 'correct horse battery';
    const reg = await fetch(`${httpUrl}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    if (reg.status !== 201) throw new Error(`register failed: ${await reg.text()}`);
    const { id } = (await reg.json()) as { id: string };
    const login = await fetch(`${httpUrl}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: name, password }),
    });
    const { token } = (await login.json()) as { token: string };
    const user = new PhoneUser(httpUrl, id, tel, token);
    const patched = await user.call('PATCH', '/v1/me', { tel });
    if (patched.status !== 200) throw new Error(`tel failed: ${JSON.stringify(patched.body)}`);
    return user;
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.httpUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async notifications(): Promise<Array<{ kind: string; payload: Record<string, unknown> }>> {
    const res = await this.call<{ notifications: Array<{ kind: string; payload: Record<string, unknown> }> }>(
      'GET',
      '/v1/me/notifications',
    );
    return res.body.notifications;
  }
}
