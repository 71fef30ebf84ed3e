import { readFileSync } from 'node:fs';
import { BusSettings } from '@locker/lockboard';
import { AccessKeyId, BoxNo, BoxSize, CabinetId, describeIssues, LockerError } from '@locker/protocol';
import { z } from 'zod';

export const BoxConfig = z
  .object({
    boxNo: BoxNo,
    board: z.number().int().min(0).max(255),
    lock: z.number().int().min(1).max(64),
    size: BoxSize.default('medium'),
    /** Inner size shown at the touchscreen next to the size class; omitted: the class's usual size. */
    dimensionsCm: z
      .object({
        width: z.number().positive().max(500),
        height: z.number().positive().max(500),
        depth: z.number().positive().max(500),
      })
      .strict()
      .optional(),
  })
  .strict();
export type BoxConfig = z.infer<typeof BoxConfig>;

/** 32 bytes in base64url without padding: the cloud's code key, a cabinet access key. */
const BASE64URL_32 = /^[A-Za-z0-9_-]{43}$/;

export const KioskLocale = z.enum(['zh-CN', 'en']);
export type KioskLocale = z.infer<typeof KioskLocale>;

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const EdgeConfig = z
  .object({
    cabinetId: CabinetId,
    /** Where the cabinet's SQLite database lives (`edge.db`). */
    dataDir: z.string().min(1).default('data'),
    /** Omit to run the cabinet offline-only (it still serves everyone at the touchscreen). */
    broker: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?):\/\//, 'must be an mqtt://, mqtts://, ws:// or wss:// URL'),
        username: z.string().min(1).optional(),
        password: z.string().min(1),
        keepaliveSec: z.number().int().min(5).max(600).default(30),
        /** Unacknowledged events are sent again after this long. */
        resendAfterMs: z.number().int().min(200).max(600_000).default(10_000),
      })
      .strict()
      .optional(),
    /**
     * The cloud's X25519 public key (GET /v1/admin/code-key). With it, each deposit's pickup code
     * travels to the cloud sealed in the deposit event, so the recipient can be told (ADR 0013);
     * without it the code is shown to the courier only.
     */
    cloudCodeKey: z
      .string()
      .regex(BASE64URL_32, 'must be 43 base64url characters (an X25519 public key)')
      .optional(),
    /**
     * The cabinet's access key by key id, as `cabinet add` or POST /v1/admin/cabinets printed it
     * (ADR 0015): it checks grants' access codes offline. Keep an old key beside a new one while
     * grants made under the old one are still live.
     */
    accessKeys: z
      .record(AccessKeyId, z.string().regex(BASE64URL_32, 'must be 43 base64url characters (32 bytes)'))
      .optional(),
    bus: BusSettings,
    /**
     * Door labels and where each door's lock sits on the bus. Omitted: every lock of every board,
     * numbered 01, 02, ... in board order, all medium.
     */
    boxes: z.array(BoxConfig).min(1).optional(),
    /** The touchscreen's local HTTP API; loopback only unless an installer says otherwise. */
    kiosk: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Static touchscreen page; default: src/kiosk/page, shipped in the package next to dist/. */
        pageDir: z.string().min(1).optional(),
        /** The screen's language after start and after every idle return (the person may switch). */
        locale: KioskLocale.default('zh-CN'),
        /** The one time zone every time on the screen is shown in (24-hour). */
        timeZone: z
          .string()
          .min(1)
          .refine(validTimeZone, 'an IANA time zone, e.g. Asia/Shanghai')
          .default('Asia/Shanghai'),
        /** Shown with the cabinet id on every error and maintenance screen. */
        hotline: z
          .string()
          .regex(/^[0-9+\- ()]{3,32}$/, 'a phone number')
          .optional(),
      })
      .strict()
      .default({ enabled: true, host: '127.0.0.1', port: 8080, locale: 'zh-CN', timeZone: 'Asia/Shanghai' }),
    /**
     * Where each box sits in the cabinet, as the person in front of it sees it: `cells[row][column]` is a
     * box number (repeated for a box spanning cells) or null (screen, scanner, blank panel).
     */
    layout: z
      .object({
        columns: z.number().int().min(1).max(40),
        rows: z.number().int().min(1).max(40),
        cells: z.array(z.array(BoxNo.nullable())),
      })
      .strict()
      .optional(),
    flows: z
      .object({
        /** A session whose door is shut and unused for this long is cancelled (frees its box). */
        sessionTimeoutSec: z.number().int().min(1).max(3600).default(180),
        /** Parcels not collected within this time are marked expired for courier recollection. */
        parcelExpiryHours: z
          .number()
          .min(0.001)
          .max(24 * 60)
          .default(72),
        sweepIntervalMs: z.number().int().min(50).max(60_000).default(1000),
        /**
         * Unconfirmed unlocks in a row, across the cabinet, after which flows stop unlocking and a
         * `sensor_fault` alarm is raised (ADR 0008).
         */
        sensorFaultAfter: z.number().int().min(1).max(100).default(3),
      })
      .strict()
      .default({ sessionTimeoutSec: 180, parcelExpiryHours: 72, sweepIntervalMs: 1000, sensorFaultAfter: 3 }),
    alarms: z
      .object({
        /** A door open longer than this raises `door_left_open`. */
        doorOpenSec: z.number().min(1).max(86_400).default(120),
      })
      .strict()
      .default({ doorOpenSec: 120 }),
    /** Wrong-code limits: per code/credential and for the whole cabinet, in a sliding window. */
    attempts: z
      .object({
        perCredential: z.number().int().min(1).max(100).default(5),
        perCabinet: z.number().int().min(1).max(1000).default(20),
        windowSec: z.number().int().min(1).max(86_400).default(600),
        lockoutSec: z.number().int().min(1).max(86_400).default(300),
        /** Cap of the cabinet-wide rising delay between code tries (ADR 0009). */
        cabinetDelayMaxSec: z.number().int().min(1).max(3600).default(60),
      })
      .strict()
      .default({ perCredential: 5, perCabinet: 20, windowSec: 600, lockoutSec: 300, cabinetDelayMaxSec: 60 }),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const numbers = new Set<string>();
    if (c.layout) checkLayout(c.layout, knownBoxes(c.boxes, c.bus.boards), ctx);
    const addresses = new Set<string>();
    c.boxes?.forEach((b, i) => {
      if (numbers.has(b.boxNo))
        ctx.addIssue({ code: 'custom', path: ['boxes', i, 'boxNo'], message: 'duplicate box number' });
      numbers.add(b.boxNo);
      const at = `${b.board}/${b.lock}`;
      if (addresses.has(at))
        ctx.addIssue({ code: 'custom', path: ['boxes', i, 'lock'], message: `lock ${at} used twice` });
      addresses.add(at);
      const board = c.bus.boards.find((x) => x.address === b.board);
      if (!board)
        ctx.addIssue({
          code: 'custom',
          path: ['boxes', i, 'board'],
          message: `board ${b.board} is not on the bus`,
        });
      else if (b.lock > board.locks) {
        ctx.addIssue({
          code: 'custom',
          path: ['boxes', i, 'lock'],
          message: `board ${b.board} has ${board.locks} locks`,
        });
      }
    });
  });
export type EdgeConfig = z.infer<typeof EdgeConfig>;
export type EdgeConfigInput = z.input<typeof EdgeConfig>;

/** The box numbers a config has: the listed boxes, else 01, 02, ... one per lock on the bus. */
function knownBoxes(boxes: BoxConfig[] | undefined, boards: Array<{ locks: number }>): Set<string> {
  if (boxes) return new Set(boxes.map((b) => b.boxNo));
  const n = boards.reduce((sum, b) => sum + b.locks, 0);
  return new Set(Array.from({ length: n }, (_, i) => String(i + 1).padStart(2, '0')));
}

function checkLayout(
  layout: { columns: number; rows: number; cells: Array<Array<string | null>> },
  known: Set<string>,
  ctx: z.RefinementCtx,
): void {
  if (layout.cells.length !== layout.rows || layout.cells.some((r) => r.length !== layout.columns)) {
    ctx.addIssue({ code: 'custom', path: ['layout', 'cells'], message: 'must be rows x columns' });
  }
  layout.cells.forEach((row, r) => {
    row.forEach((boxNo, col) => {
      if (boxNo !== null && !known.has(boxNo))
        ctx.addIssue({ code: 'custom', path: ['layout', 'cells', r, col], message: `no box ${boxNo}` });
    });
  });
}

/** The box layout: the configured one, or one box per lock on the bus. */
export function boxLayout(config: EdgeConfig): BoxConfig[] {
  if (config.boxes) return config.boxes;
  const layout: BoxConfig[] = [];
  for (const board of config.bus.boards) {
    for (let lock = 1; lock <= board.locks; lock++) {
      layout.push({
        boxNo: String(layout.length + 1).padStart(2, '0'),
        board: board.address,
        lock,
        size: 'medium',
      });
    }
  }
  return layout;
}

export function parseEdgeConfig(input: unknown): EdgeConfig {
  const result = EdgeConfig.safeParse(input);
  if (!result.success)
    throw new LockerError('CONFIG_INVALID', `edge config: ${describeIssues(result.error)}`);
  return result.data;
}

/**
 * Reads a JSON config file; `LOCKER_EDGE_BROKER_PASSWORD` and `LOCKER_EDGE_ACCESS_KEYS` (JSON) may
 * carry the secrets instead.
 */
export function loadEdgeConfig(path: string, env: NodeJS.ProcessEnv = process.env): EdgeConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(e as Error).message})`;
    throw new LockerError('CONFIG_INVALID', `edge config: ${path} ${why}`);
  }
  const keys = env.LOCKER_EDGE_ACCESS_KEYS;
  if (keys && raw && typeof raw === 'object') {
    try {
      (raw as Record<string, unknown>).accessKeys = JSON.parse(keys);
    } catch {
      throw new LockerError(
        'CONFIG_INVALID',
        'LOCKER_EDGE_ACCESS_KEYS is not a JSON object of key id to key',
      );
    }
  }
  const password = env.LOCKER_EDGE_BROKER_PASSWORD;
  if (
    password &&
    raw &&
    typeof raw === 'object' &&
    'broker' in raw &&
    raw.broker &&
    typeof raw.broker === 'object'
  ) {
    (raw.broker as Record<string, unknown>).password = password;
  }
  return parseEdgeConfig(raw);
}
