import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ResidentIdNumber } from '../src/accounts/resident-id-number.js';
import { formatHaskellUtc } from '../src/accounts/time-stamp.js';
import type { CloudConfigInput } from '../src/config.js';
import { startTestCloud } from './helpers.js';

export type TestCloud = Awaited<ReturnType<typeof startTestCloud>>;

/** A test cloud whose abuse limits are out of the way unless a test sets them. */
export function startAccountsCloud(overrides: Partial<CloudConfigInput> = {}) {
  return startTestCloud({
    accounts: {
      limits: {
        loginFailuresPerAccount: 1000,
        loginAttemptsPerAddress: 1000,
        registrationsPerAddress: 1000,
        registrationsPerAccount: 1000,
      },
    },
    ...overrides,
  });
}

export const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
export const sha512hex = (s: string) => createHash('sha512').update(s).digest('hex');

/** A valid identity number (the standard example, check character X). */
export const VALID_PRC_ID = ResidentIdNumber.withCheck('11010519491231002');

/** Real 2x2 images (made with sharp), since a photo must decode, not only start right. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEklEQVQImWM4ISd3Qk6OAUIBAB8mBBGFRCvEAAAAAElFTkSuQmCC',
  'base64',
);
export const JPEG = Buffer.from(
  '/9j/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAACAAIDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAb/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABgf/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCAAHlhf//Z',
  'base64',
);
export const GIF = Buffer.from('R0lGODlhAgACAIAAAExpccgeHiH5BAUAAAAALAAAAAACAAIAAAICjFMAOw==', 'base64');
export const WEBP = Buffer.from(
  'UklGRjoAAABXRUJQVlA4IC4AAACwAQCdASoCAAIAAUAmJaACdLoABDAAAP7x3I/4DdfFtMv/vYL/3YL/3YL/WwAA',
  'base64',
);

let seq = 0;
/** A fresh valid user name per call, so tests in one cloud never collide. */
export const uniqueName = (base = 'user') => `${base}_${process.pid}_${++seq}`;
export const uniqueTel = () =>
  `13${String(process.pid % 1000).padStart(3, '0')}${String(++seq).padStart(6, '0')}`;

export async function registerV1(
  app: FastifyInstance,
  name = uniqueName(),
  password = 'correct horse battery',
) {
  const res = await app.inject({ method: 'POST', url: '/v1/accounts', payload: { name, password } });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.body}`);
  const { id } = res.json() as { id: string };
  return { id, name, password };
}

export async function loginV1(app: FastifyInstance, login: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { login, password } });
  if (res.statusCode !== 201) throw new Error(`login failed: ${res.body}`);
  return (res.json() as { token: string }).token;
}

export async function userWithToken(app: FastifyInstance) {
  const user = await registerV1(app);
  const token = await loginV1(app, user.name, user.password);
  return { ...user, token, auth: { authorization: `Bearer ${token}` } };
}

/** Behaves like the 2016 client: form-encoded POSTs, TMP-TOKEN, Haskell-shown timestamps. */
export class DingoClient {
  token: string | undefined;
  constructor(
    private readonly app: FastifyInstance,
    readonly prefix = '/dingo',
    /** The client address the server sees, for the per-address limits. */
    readonly remoteAddress = '127.0.0.1',
  ) {}

  post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    return this.app.inject({
      method: 'POST',
      url: `${this.prefix}${path}`,
      remoteAddress: this.remoteAddress,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(this.token ? { 'tmp-token': this.token } : {}),
        ...headers,
      },
      payload: new URLSearchParams(fields).toString(),
    });
  }

  postMultipart(path: string, fields: Record<string, string>, files: Record<string, Buffer>) {
    const boundary = `----dingo${Date.now()}`;
    const chunks: Buffer[] = [];
    for (const [k, v] of Object.entries(fields)) {
      chunks.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
      );
    }
    for (const [k, data] of Object.entries(files)) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${k}.jpg"\r\n` +
            'Content-Type: image/jpeg\r\n\r\n',
        ),
        data,
        Buffer.from('\r\n'),
      );
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return this.app.inject({
      method: 'POST',
      url: `${this.prefix}${path}`,
      remoteAddress: this.remoteAddress,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(this.token ? { 'tmp-token': this.token } : {}),
      },
      payload: Buffer.concat(chunks),
    });
  }

  /** The login hash of §1.4: sha512hex(prefix + sha256hex(password) + timestamp as sent). */
  static loginHash(prefix: 'uid' | 'nnnn' | '+86', password: string, timeStamp: string): string {
    return sha512hex(prefix + sha256hex(password) + timeStamp);
  }

  async login(
    field: 'id' | 'tel' | 'name',
    value: string,
    password: string,
    timeStamp = formatHaskellUtc(new Date()),
  ) {
    const prefix = field === 'id' ? 'uid' : field === 'tel' ? '+86' : 'nnnn';
    const res = await this.post(
      '/login',
      { [field]: value, pash: DingoClient.loginHash(prefix, password, timeStamp) },
      { 'time-stamp': timeStamp },
    );
    if (res.headers.status === 'SUCCESS') this.token = res.body;
    return res;
  }
}
