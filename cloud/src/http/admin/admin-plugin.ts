import { errorStatus, isLockerError } from '@locker/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Accounts } from '../../accounts/accounts-module.js';
import { adminRightsRoutes } from '../../authorizations/admin-rights-routes.js';
import { adminAuthorizerRoutes } from '../../authorizers/admin-authorizer-routes.js';
import type { Authorizers } from '../../authorizers/authorizers-module.js';
import type { BrokerAccounts } from '../../broker/broker-accounts.js';
import type { CabinetRepository } from '../../fleet/cabinet-repository.js';
import type { CommandLog } from '../../fleet/command-log.js';
import type { DesiredStateService } from '../../fleet/desired-state-service.js';
import type { FleetLink } from '../../fleet/fleet-link.js';
import { adminGrantKeyRoutes } from '../../grant-tokens/admin-grant-key-routes.js';
import type { AuditLog, AuditResult } from '../../operators/audit-log.js';
import type { OperatorAccounts } from '../../operators/operator-accounts.js';
import { adminParcelRoutes } from '../../parcels/admin-parcel-routes.js';
import type { ParcelService } from '../../parcels/parcel-service.js';
import type { Rights } from '../../rights-module.js';
import type { CabinetAccessKeys } from '../../security/cabinet-access-keys.js';
import { adminSiteRoutes } from '../../sites/admin-site-routes.js';
import type { Tasks } from '../../tasks/tasks-module.js';
import { authenticateOperator, ROLE_GUARD, type RoleGuard } from '../admin-auth.js';
import { adminAlarmRoutes } from '../routes/admin-alarms.js';
import { adminAuditRoutes } from '../routes/admin-audit.js';
import { adminCabinetServiceRoutes } from '../routes/admin-cabinet-service.js';
import { adminCabinetRoutes } from '../routes/admin-cabinets.js';
import { adminDesiredRoutes } from '../routes/admin-desired.js';
import { adminOperatorRoutes } from '../routes/admin-operators.js';
import { adminLogoutRoutes } from '../routes/admin-sessions.js';
import { adminVerificationRoutes } from '../v1/admin-verification-routes.js';
import { adminWalletRoutes } from '../v1/wallet-routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The command a route sent, for its audit entry. */
    auditTransaction?: string;
    /** The coded error a route ended with, for its audit entry. */
    auditErrorCode?: string;
  }
}

/** Everything an admin route module may use. */
export interface AdminServices {
  adminToken: string;
  cabinets: CabinetRepository;
  fleet: FleetLink;
  desired: DesiredStateService;
  brokerAccounts: BrokerAccounts;
  /** Each cabinet's access key, shown at provisioning (ADR 0015). */
  accessKeys: CabinetAccessKeys;
  accounts: Accounts;
  operators: OperatorAccounts;
  audit: AuditLog;
  commands: CommandLog;
  tasks: Tasks;
  parcels: ParcelService;
  /** The cloud's X25519 public key that cabinets seal pickup codes to (edge config `cloudCodeKey`). */
  codeKey: string;
  /** Sites, boxes, user status and timelines (the patent's records). */
  rights: Rights;
  /** The registry of third-party authorizers (method 2). */
  authorizers: Authorizers;
}

export type AdminRouteModule = (app: FastifyInstance, services: AdminServices) => Promise<void>;

/**
 * Every /v1/admin route module. TO ADD ADMIN ROUTES: write a module of type `AdminRouteModule`
 * whose paths are relative to /v1/admin (`'/things/:id'`), give every route
 * `preHandler: requireRole('viewer' | 'operator' | 'admin')` (from ../admin-auth.js; a route
 * without one makes the app fail to start), and append the module here. Authentication and the
 * audit of every state-changing request (anything but GET/HEAD) come from this plugin; put the
 * cabinet and box in path params named `cabinetId` and `boxNo`, and an optional `reason` in the
 * body, and the audit records them. Secret fields (packages/protocol/src/secret-fields.ts) never
 * reach the audit detail.
 */
const modules: AdminRouteModule[] = [
  adminCabinetRoutes,
  adminCabinetServiceRoutes,
  adminAlarmRoutes,
  adminDesiredRoutes,
  adminVerificationRoutes,
  adminOperatorRoutes,
  adminAuditRoutes,
  adminLogoutRoutes,
  adminWalletRoutes,
  adminParcelRoutes,
  adminSiteRoutes,
  adminRightsRoutes,
  adminGrantKeyRoutes,
  adminAuthorizerRoutes,
];

const resultOf = (reply: FastifyReply, code: string | undefined): AuditResult =>
  code === 'COMMAND_TIMEOUT' ? 'timeout' : reply.statusCode < 400 ? 'ok' : 'error';

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The operator API: one plugin mounted under /v1/admin (app.ts), guarded and audited as one. */
export async function adminPlugin(app: FastifyInstance, services: AdminServices): Promise<void> {
  app.addHook('onRoute', (route) => {
    const handlers = [route.preHandler ?? []].flat();
    const guards = handlers.filter((h) => ROLE_GUARD in h);
    if (guards.length === 0) {
      throw new Error(`admin route ${route.method} ${route.url} has no requireRole preHandler`);
    }
    // The role is checked before the body is validated: a role that may not call a route learns
    // nothing about what it would accept.
    route.preHandler = handlers.filter((h) => !(ROLE_GUARD in h));
    route.preValidation = [...guards, ...[route.preValidation ?? []].flat()];
    // The OpenAPI document says which role each route needs (the role-matrix test reads it too).
    const role = (guards[0] as RoleGuard)[ROLE_GUARD];
    const said = (route.schema as { description?: string } | undefined)?.description;
    route.schema = {
      ...route.schema,
      description: [`Role: ${role} or above.`, said].filter(Boolean).join(' '),
    };
  });
  app.addHook('onRequest', authenticateOperator(services));
  app.addHook('onError', async (req, _reply, err) => {
    req.auditErrorCode = isLockerError(err) ? err.code : 'INTERNAL';
  });
  // onSend, not onResponse: the entry exists before the caller sees the answer.
  app.addHook('onSend', async (req: FastifyRequest, reply, payload) => {
    if (req.method === 'GET' || req.method === 'HEAD' || !req.operator) return payload;
    const params = asRecord(req.params);
    const body = asRecord(req.body);
    const code = req.auditErrorCode ?? (reply.statusCode >= 400 ? httpCode(reply.statusCode) : undefined);
    await services.audit
      .record({
        actor: req.operator.username,
        channel: 'http',
        action: `${req.method} ${req.routeOptions.url ?? req.url}`,
        cabinetId: typeof params.cabinetId === 'string' ? params.cabinetId : null,
        boxNo: typeof params.boxNo === 'string' ? params.boxNo : null,
        reason: typeof body.reason === 'string' ? body.reason : null,
        result: resultOf(reply, code),
        errorCode: code ?? null,
        transaction: req.auditTransaction ?? null,
        detail: { params, body },
      })
      .catch((err: unknown) => req.log.error({ err }, 'audit entry not written'));
    return payload;
  });
  for (const m of modules) await app.register(m, services);
}

/** The first code with this status, for a refusal that came without a LockerError. */
function httpCode(status: number): string {
  return Object.entries(errorStatus).find(([, s]) => s === status)?.[0] ?? 'INTERNAL';
}
