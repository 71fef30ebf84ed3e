import { readFileSync } from 'node:fs';
import { describeIssues, LockerError } from '@locker/protocol';
import { z } from 'zod';

const Secret = z.string().min(16, 'must be at least 16 characters');

export const CloudConfig = z
  .object({
    http: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(3000),
      })
      .prefault({}),
    /** The broker the cloud connects to; with `embedded` set, the cloud also runs it (aedes). */
    broker: z
      .object({
        url: z
          .string()
          .regex(/^mqtts?:\/\//, 'must be an mqtt:// or mqtts:// URL')
          .optional(),
        embedded: z
          .object({
            enabled: z.boolean().default(true),
            host: z.string().default('127.0.0.1'),
            port: z.number().int().min(0).max(65535).default(1883),
            /** MQTT over WebSocket (path /mqtt) for browser tools and networks that only pass HTTP; off when absent. */
            wsPort: z.number().int().min(0).max(65535).optional(),
          })
          .prefault({}),
        /** The cloud's own broker account (full access); on an external broker, configure it there. */
        serviceUsername: z.string().min(1).default('locker-cloud'),
        servicePassword: Secret,
        /**
         * With an external Mosquitto: the cloud keeps its password and ACL files in step with the
         * broker accounts and sends it SIGHUP (via its pid file) after every change.
         */
        mosquitto: z
          .object({
            passwordFile: z.string().min(1),
            aclFile: z.string().min(1),
            pidFile: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
        /** Size and rate limits (docs/mqtt.md, "Limits"); the embedded broker enforces all, the cloud its own share. */
        limits: z
          .object({
            maxPacketBytes: z.number().int().min(1024).max(268_435_455).default(1_048_576),
            messagesPerSecond: z.number().int().min(1).default(50),
            burst: z.number().int().min(1).default(500),
            maxThrottleMs: z.number().int().min(0).max(60_000).default(10_000),
            defaultBoxCount: z.number().int().min(1).max(999).default(32),
          })
          .strict()
          .prefault({}),
      })
      .strict(),
    database: z
      .discriminatedUnion('dialect', [
        z.object({ dialect: z.literal('sqlite'), file: z.string().min(1) }).strict(),
        z.object({ dialect: z.literal('postgres'), url: z.string().regex(/^postgres(ql)?:\/\//) }).strict(),
      ])
      .default({ dialect: 'sqlite', file: 'data/cloud.db' }),
    /**
     * The bootstrap admin's bearer token (`/v1/admin`, audited as `bootstrap`): for creating the
     * first named admin; operators then use their own accounts (ADR 0010).
     */
    adminToken: z.string().min(24, 'must be at least 24 characters'),
    /** Lifetime of an operator's bearer token; an admin issues a new one with .../credentials. */
    operatorTokenTtlHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .default(24 * 30),
    /** Server-side keys. Without `sealKey` one is derived from `adminToken` (fine for demos only). */
    secrets: z
      .object({
        /** AES-256 key (64 hex chars) that seals the Dingo pash and identity numbers at rest. */
        sealKey: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
          .optional(),
        /**
         * X25519 private key (base64url of 32 bytes) that opens the pickup codes cabinets seal
         * (ADR 0013); `locker-cloud code-key` makes one. Without it one is derived from `adminToken`.
         */
        codeKey: z
          .string()
          .regex(/^[A-Za-z0-9_-]{43}$/, 'must be 43 base64url characters (32 bytes)')
          .optional(),
        /**
         * Master secret (64 hex chars) of the cabinets' access keys, which make and check grants'
         * access codes (ADR 0015). Without it one is derived from `adminToken`.
         */
        accessKey: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes)')
          .optional(),
      })
      .strict()
      .prefault({}),
    /** Messages outside the app: SMS (and push) through an HTTP gateway, retried with backoff. */
    notifications: z
      .object({
        /** The gateway; without it SMS wait in the database until one is configured. */
        sms: z
          .object({
            url: z.string().regex(/^https?:\/\//, 'must be an http:// or https:// URL'),
            token: z.string().min(1).optional(),
            timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
          })
          .strict()
          .optional(),
        sendIntervalMs: z.number().int().min(50).max(600_000).default(2_000),
        retryBaseMs: z.number().int().min(10).max(3_600_000).default(5_000),
        maxAttempts: z.number().int().min(1).max(50).default(8),
      })
      .strict()
      .prefault({}),
    /** Parcels: the reminder before expiry and the sweep that sends it and expires parcels. */
    parcels: z
      .object({
        reminderBeforeSec: z
          .number()
          .int()
          .min(1)
          .max(30 * 86_400)
          .default(86_400),
        sweepIntervalMs: z.number().int().min(50).max(3_600_000).default(60_000),
      })
      .strict()
      .prefault({}),
    accounts: z
      .object({
        tokenTtlSeconds: z
          .number()
          .int()
          .min(60)
          .max(90 * 86_400)
          .default(7 * 86_400),
        limits: z
          .object({
            windowSeconds: z.number().int().min(1).max(86_400).default(900),
            /** Failed logins per account per window before the account is throttled. */
            loginFailuresPerAccount: z.number().int().min(1).default(10),
            /** Login attempts per client address per window. */
            loginAttemptsPerAddress: z.number().int().min(1).default(60),
            /** Registrations per client address per window. */
            registrationsPerAddress: z.number().int().min(1).default(10),
            /** Registration attempts naming one user name, or one phone number, per window. */
            registrationsPerAccount: z.number().int().min(1).default(5),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Reservations and authorizations of boxes (the patent, ADR 0014). */
    rights: z
      .object({
        /** Live reservations one user may hold at once. */
        maxActiveReservationsPerUser: z.number().int().min(1).max(1000).default(3),
        /** Longest reservation window. */
        maxReservationHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90)
          .default(72),
        /** How often expired reservations and grants are released. */
        sweepIntervalMs: z.number().int().min(100).max(3_600_000).default(30_000),
        /**
         * Lifetime of a signed grant token (ADR 0017). It bounds how long a revoked grant's token
         * still opens a cabinet that has been offline since before the revocation; the app fetches
         * a fresh one whenever it is online.
         */
        grantTokenTtlMinutes: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 60)
          .default(120),
      })
      .strict()
      .prefault({}),
    /** Third-party authorizers (the patent's method 2, ADR 0016, docs/authorizers.md). */
    authorizers: z
      .object({
        /** How long one POST to an authorizer may take. */
        timeoutMs: z.number().int().min(50).max(60_000).default(5_000),
        /** Tries of one delivery before it is dead-lettered (and the holder told). */
        maxAttempts: z.number().int().min(1).max(50).default(6),
        /** First retry after about this, doubling each time (with jitter) up to `retryMaxMs`. */
        retryBaseMs: z.number().int().min(10).max(3_600_000).default(2_000),
        retryMaxMs: z.number().int().min(10).max(86_400_000).default(600_000),
        /**
         * Start a pass as soon as a message is queued (after its commit) instead of at the next
         * interval, so a holder waits for the authorizer, not for the timer. Tests that drive the
         * worker by hand turn it off.
         */
        sendAtOnce: z.boolean().default(true),
        /** How often the delivery worker looks for due tries (retries, and a missed kick). */
        workerIntervalMs: z.number().int().min(20).max(600_000).default(1_000),
        /** A claimed try is held this long before another pass may take it (a crash mid-send). */
        leaseMs: z.number().int().min(100).max(3_600_000).default(60_000),
        /** Accepted distance of an authorizer's X-Locker-Timestamp from server time. */
        timestampWindowSeconds: z.number().int().min(1).max(3_600).default(300),
        /** How long an authorizer has to answer a request (capped by the holder's right). */
        requestTtlSeconds: z
          .number()
          .int()
          .min(5)
          .max(7 * 86_400)
          .default(1_800),
      })
      .strict()
      .prefault({}),
    /** The 2016 Dingo API, served beside /v1 on the same services. */
    dingo: z
      .object({
        enabled: z.boolean().default(true),
        prefix: z
          .string()
          .regex(/^(\/[A-Za-z0-9._-]+)*$/, 'must be empty or like /dingo')
          .default('/dingo'),
        /** Accepted distance of the login TIME-STAMP from server time. */
        timestampWindowSeconds: z.number().int().min(1).max(300).default(12),
        /** Answer failures with HTTP 200 as the 2016 server did (default: the code's own status). */
        failuresAsHttp200: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    commandTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();
export type CloudConfig = z.infer<typeof CloudConfig>;
export type CloudConfigInput = z.input<typeof CloudConfig>;

/** Validates a config object; the error names every bad field. */
export function parseCloudConfig(input: unknown): CloudConfig {
  const result = CloudConfig.safeParse(input);
  if (!result.success) {
    throw new LockerError('CONFIG_INVALID', `cloud config: ${describeIssues(result.error)}`);
  }
  return result.data;
}

/** Reads the JSON config file named by `path`, then applies `LOCKER_CLOUD_*` environment overrides. */
export function loadCloudConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): CloudConfig {
  let raw: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new LockerError('CONFIG_INVALID', `cloud config: cannot read ${path}: ${(e as Error).message}`);
    }
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new LockerError('CONFIG_INVALID', `cloud config: ${path} is not valid JSON`);
    }
  }
  const merged = structuredClone(raw);
  const set = (keys: string[], value: unknown) => {
    let node = merged;
    for (const k of keys.slice(0, -1)) {
      node[k] ??= {};
      node = node[k] as Record<string, unknown>;
    }
    node[keys[keys.length - 1] as string] = value;
  };
  if (env.LOCKER_CLOUD_ADMIN_TOKEN) set(['adminToken'], env.LOCKER_CLOUD_ADMIN_TOKEN);
  if (env.LOCKER_CLOUD_BROKER_PASSWORD) set(['broker', 'servicePassword'], env.LOCKER_CLOUD_BROKER_PASSWORD);
  if (env.LOCKER_CLOUD_DATABASE_URL)
    set(['database'], { dialect: 'postgres', url: env.LOCKER_CLOUD_DATABASE_URL });
  if (env.LOCKER_CLOUD_SEAL_KEY) set(['secrets', 'sealKey'], env.LOCKER_CLOUD_SEAL_KEY);
  if (env.LOCKER_CLOUD_CODE_KEY) set(['secrets', 'codeKey'], env.LOCKER_CLOUD_CODE_KEY);
  if (env.LOCKER_CLOUD_ACCESS_KEY) set(['secrets', 'accessKey'], env.LOCKER_CLOUD_ACCESS_KEY);
  if (env.LOCKER_CLOUD_HTTP_PORT) set(['http', 'port'], Number(env.LOCKER_CLOUD_HTTP_PORT));
  return parseCloudConfig(merged);
}
