import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Accounts, createAccounts } from './accounts/accounts-module.js';
import { createApp } from './app.js';
import type { postSigned } from './authorizers/authorizer-client.js';
import { type Authorizers, createAuthorizers } from './authorizers/authorizers-module.js';
import { BrokerAccounts } from './broker/broker-accounts.js';
import { EmbeddedBroker } from './broker/embedded-broker.js';
import { MosquittoFiles } from './broker/mosquitto-files.js';
import type { CloudConfig } from './config.js';
import { createDatabase, type Db, migrateToLatest } from './db/database.js';
import { GroupCommit } from './db/group-commit.js';
import { CabinetRepository } from './fleet/cabinet-repository.js';
import { CommandLog } from './fleet/command-log.js';
import { desiredSources } from './fleet/desired/desired-sources.js';
import { DesiredStateService } from './fleet/desired-state-service.js';
import { FleetLink } from './fleet/fleet-link.js';
import { createGrantTokens, type GrantTokens } from './grant-tokens/grant-tokens-module.js';
import { IntervalWorker } from './lifecycle/interval-worker.js';
import { SubsystemPlan } from './lifecycle/subsystem-plan.js';
import { createLogger } from './logger.js';
import type { DeliveryProvider } from './notifications/delivery.js';
import type { NotificationService } from './notifications/notification-service.js';
import { createNotifications, type Notifications } from './notifications/notifications-module.js';
import { AuditLog } from './operators/audit-log.js';
import { OperatorAccounts } from './operators/operator-accounts.js';
import { createParcels, type Parcels } from './parcels/parcels-module.js';
import { createRights, createRightsRecords, type Rights, type RightsRecords } from './rights-module.js';
import { CabinetAccessKeys } from './security/cabinet-access-keys.js';
import { createTasks, type Tasks } from './tasks/tasks-module.js';

/** Parts a test may swap for its own. */
export interface CloudServerOptions {
  /** Where SMS/push go (default: the configured HTTP gateway, else they wait in the queue). */
  delivery?: DeliveryProvider;
  /** How the cloud POSTs to third-party authorizers (tests count or fail calls). */
  authorizerPost?: typeof postSigned;
}

/**
 * The whole cloud service, built in the constructor without I/O: database, embedded broker (when
 * enabled), the fleet's MQTT link, background workers and the HTTP API. `plan` starts them in that
 * order and stops them in reverse (the edge daemon's shape).
 */
export class CloudServer {
  readonly logger: Logger;
  readonly db: Db;
  readonly cabinets: CabinetRepository;
  readonly brokerAccounts: BrokerAccounts;
  readonly broker: EmbeddedBroker | undefined;
  readonly mosquittoFiles: MosquittoFiles | undefined;
  readonly notifications: NotificationService;
  /** In-app notifications plus SMS/push delivery and the key that opens sealed codes (ADR 0013). */
  readonly messaging: Notifications;
  readonly parcels: Parcels;
  readonly accounts: Accounts;
  readonly operators: OperatorAccounts;
  readonly audit: AuditLog;
  readonly commands: CommandLog;
  readonly tasks: Tasks;
  readonly fleet: FleetLink;
  /** Courier credentials and box settings each cabinet holds for offline use. */
  readonly desired: DesiredStateService;
  readonly app: FastifyInstance;
  /** Start order; `stop` goes in reverse. Background workers are added before `http`. */
  readonly plan: SubsystemPlan;
  /** Background workers (sweeps, reminders, retries); modules add theirs, they start before `http`. */
  readonly workers: SubsystemPlan;
  readonly rightsRecords: RightsRecords;
  /** Sites, reservations, authorizations and the timeline (the patent). */
  readonly rights: Rights;
  /** Third-party authorizers: registry, requests and the webhook queue (method 2, ADR 0016). */
  readonly authorizers: Authorizers;
  /** Units of work committed together on SQLite (ADR 0015). */
  readonly units: GroupCommit;
  /** Each cabinet's access key: grants' code verifiers and the cabinet's provisioning (ADR 0015). */
  readonly accessKeys: CabinetAccessKeys;
  /** Signed grant tokens: signing keys, issuer, revocations (ADR 0017). */
  readonly grantTokens: GrantTokens;
  private started = false;

  constructor(
    readonly config: CloudConfig,
    logger?: Logger,
    options: CloudServerOptions = {},
  ) {
    this.logger = logger ?? createLogger(config.logLevel);
    this.db = createDatabase(config.database);
    this.cabinets = new CabinetRepository(this.db, config.broker.limits.defaultBoxCount);
    const boxLayout = async (cabinetId: string) => (await this.cabinets.get(cabinetId)).boxes;
    this.brokerAccounts = new BrokerAccounts(
      this.db,
      { username: config.broker.serviceUsername, password: config.broker.servicePassword },
      boxLayout,
    );
    this.messaging = createNotifications(
      this.db,
      config,
      this.logger.child({ subsystem: 'notifications' }),
      options.delivery,
    );
    this.notifications = this.messaging.service;
    this.accounts = createAccounts(this.db, config, (userId, kind, payload) =>
      this.notifications.publish(userId, kind, payload),
    );
    this.operators = new OperatorAccounts(
      this.db,
      this.brokerAccounts,
      config.operatorTokenTtlHours * 3600_000,
      this.accounts.limiter,
    );
    this.audit = new AuditLog(this.db);
    this.commands = new CommandLog(this.db);
    this.rightsRecords = createRightsRecords(this.db);
    this.units = new GroupCommit(this.db, config.database.dialect === 'sqlite', (err) =>
      this.logger.error({ err }, 'after-commit work failed'),
    );
    if (!config.secrets.sealKey) {
      this.logger.warn(
        'secrets.sealKey is not set; deriving the seal key from adminToken (set one in production)',
      );
    }
    if (!config.secrets.accessKey) {
      this.logger.warn(
        'secrets.accessKey is not set; deriving the cabinet access keys from adminToken (set one in production)',
      );
    }
    this.accessKeys = CabinetAccessKeys.fromConfig(config.secrets.accessKey, config.adminToken);
    const { embedded, mosquitto } = config.broker;
    this.mosquittoFiles = mosquitto
      ? new MosquittoFiles({
          ...mosquitto,
          serviceUsername: config.broker.serviceUsername,
          servicePassword: config.broker.servicePassword,
          db: this.db,
          boxLayout,
          logger: this.logger.child({ subsystem: 'mosquitto-files' }),
        })
      : undefined;
    if (this.mosquittoFiles) {
      const files = this.mosquittoFiles;
      this.brokerAccounts.onChange(() => files.write());
    }
    this.broker = embedded.enabled
      ? new EmbeddedBroker({
          host: embedded.host,
          port: embedded.port,
          wsPort: embedded.wsPort,
          accounts: this.brokerAccounts,
          limits: config.broker.limits,
          logger: this.logger.child({ subsystem: 'broker' }),
        })
      : undefined;
    const broker = this.broker;
    if (broker) this.brokerAccounts.onEndSessions((username) => broker.disconnect(username));
    this.fleet = new FleetLink({
      url: () => {
        if (!config.broker.url && !this.broker) {
          throw new Error('broker.url is required when the embedded broker is disabled');
        }
        return this.brokerUrl;
      },
      username: config.broker.serviceUsername,
      password: config.broker.servicePassword,
      commandTimeoutMs: config.commandTimeoutMs,
      limits: config.broker.limits,
      cabinets: this.cabinets,
      commands: this.commands,
      audit: this.audit,
      logger: this.logger.child({ subsystem: 'fleet' }),
    });
    this.grantTokens = createGrantTokens(this.db, config, this.logger.child({ subsystem: 'grant-tokens' }));
    const desired = new DesiredStateService(
      desiredSources(this.db, this.rightsRecords.grantSources, this.units, {
        keys: this.grantTokens.keys,
        revocations: this.grantTokens.revocations,
      }),
      this.cabinets,
      this.fleet,
      this.logger.child({ subsystem: 'desired-state' }),
    );
    this.desired = desired;
    const rights = createRights(this.rightsRecords, {
      config,
      cabinets: this.cabinets,
      desired,
      notify: (userId, kind, payload) => this.notifications.publish(userId, kind, payload),
      notifyIn: (trx, commit, userId, kind, payload) =>
        this.notifications.publishIn(trx, commit, userId, kind, payload),
      accessKeys: this.accessKeys,
      grantTokens: this.grantTokens,
      logger: this.logger.child({ subsystem: 'rights' }),
    });
    this.rights = rights;
    this.authorizers = createAuthorizers({
      db: this.db,
      config,
      units: this.units,
      authorizations: rights.authorizations,
      users: this.rightsRecords.users,
      timeline: this.rightsRecords.timeline,
      notifyIn: (trx, commit, userId, kind, payload) =>
        this.notifications.publishIn(trx, commit, userId, kind, payload),
      logger: this.logger.child({ subsystem: 'authorizers' }),
      ...(options.authorizerPost ? { post: options.authorizerPost } : {}),
    });
    // After the rights: a task's locker hand-over is a grant of the authorization service.
    this.tasks = createTasks(
      this.db,
      (userId, kind, payload) => this.notifications.publish(userId, kind, payload),
      this.logger.child({ subsystem: 'tasks' }),
      {
        authorizations: rights.authorizations,
        grants: this.rightsRecords.grants,
        users: this.rightsRecords.users,
      },
    );
    this.fleet.on('box', ({ cabinetId, box }) => rights.onBox(cabinetId, box));
    this.fleet.on('event', (ev) => rights.onEvent(ev));
    this.parcels = createParcels(
      this.db,
      config,
      this.messaging,
      this.logger.child({ subsystem: 'parcels' }),
    );
    const parcels = this.parcels.service;
    const parcelEvents = this.parcels;
    this.fleet.on('event', (ev) => parcelEvents.onEvent(ev));
    this.fleet.on('desiredGet', ({ cabinetId, appliedVersion }) => {
      desired.answer(cabinetId, appliedVersion).catch((err: unknown) => {
        this.logger.error({ err, cabinetId }, 'desired-state answer failed');
      });
    });
    this.app = createApp({
      config,
      logger: this.logger,
      db: this.db,
      cabinets: this.cabinets,
      fleet: this.fleet,
      desired,
      brokerAccounts: this.brokerAccounts,
      accessKeys: this.accessKeys,
      accounts: this.accounts,
      notifications: this.notifications,
      operators: this.operators,
      audit: this.audit,
      commands: this.commands,
      tasks: this.tasks,
      parcels,
      codeKey: this.messaging.opener.publicKey,
      rights,
      authorizers: this.authorizers,
      ready: () => this.started,
    });
    const app = this.app;
    const files = this.mosquittoFiles;
    this.workers = new SubsystemPlan(this.logger.child({ subsystem: 'workers' }))
      .add('parcel-sweep', this.parcels.worker)
      .add('outbound-messages', this.messaging.worker)
      .add(
        'rights-sweep',
        new IntervalWorker({
          name: 'rights-sweep',
          intervalMs: config.rights.sweepIntervalMs,
          run: () => rights.sweep(),
          logger: this.logger.child({ subsystem: 'rights' }),
        }),
      )
      .add('authorizer-deliveries', this.authorizers.worker);
    this.plan = new SubsystemPlan(this.logger)
      .add('database', { start: () => migrateToLatest(this.db), stop: () => this.db.destroy() })
      .add('mosquitto-files', files && { start: () => files.write(), stop: async () => undefined })
      .add('grant-keys', this.grantTokens.keys)
      .add('broker', this.broker)
      // Stopped after the fleet link: what it fed to the rights is applied before the database closes.
      .add('rights', { start: async () => undefined, stop: () => rights.settle() })
      .add('parcels', { start: async () => undefined, stop: () => parcelEvents.settle() })
      .add('fleet', this.fleet)
      .add('workers', this.workers)
      .add('http', {
        start: async () => {
          await app.listen({ host: config.http.host, port: config.http.port });
        },
        stop: () => app.close(),
      });
  }

  /** The broker URL cabinets and the cloud connect to (the embedded one's port is known once it started). */
  get brokerUrl(): string {
    if (this.config.broker.url) return this.config.broker.url;
    return `mqtt://${this.config.broker.embedded.host}:${this.broker?.port ?? this.config.broker.embedded.port}`;
  }

  get httpUrl(): string {
    const addr = this.app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.config.http.port;
    return `http://${this.config.http.host}:${port}`;
  }

  /** Starts the subsystems in plan order; if one fails, those started are stopped again. */
  async start(): Promise<void> {
    await this.plan.start();
    this.started = true;
    this.logger.info({ http: this.httpUrl, broker: this.brokerUrl }, 'cloud started');
  }

  /** Stops everything that started, in reverse; a part that fails to stop is logged, not thrown. */
  async stop(): Promise<void> {
    this.started = false;
    await this.plan.stop();
  }
}
