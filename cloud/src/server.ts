import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Accounts, createAccounts } from './accounts/accounts-module.js';
import { buildApp } from './app.js';
import { BrokerAccounts } from './broker/broker-accounts.js';
import { EmbeddedBroker } from './broker/embedded-broker.js';
import { MosquittoFiles } from './broker/mosquitto-files.js';
import type { CloudConfig } from './config.js';
import { createDatabase, type Db, migrateToLatest } from './db/database.js';
import { CabinetRepository } from './fleet/cabinet-repository.js';
import { CommandLog } from './fleet/command-log.js';
import { DesiredStateService } from './fleet/desired-state-service.js';
import { FleetLink } from './fleet/fleet-link.js';
import { createLogger } from './logger.js';
import { NotificationRepository } from './notifications/notification-repository.js';
import { NotificationService } from './notifications/notification-service.js';
import { AuditLog } from './operators/audit-log.js';
import { OperatorAccounts } from './operators/operator-accounts.js';
import { createTasks, type Tasks } from './tasks/tasks-module.js';

/**
 * The whole cloud service: database, embedded broker (when enabled), the fleet's MQTT link and the
 * HTTP API. Starts in that order and stops in reverse; the constructor does no I/O.
 */
export class CloudServer {
  readonly logger: Logger;
  readonly db: Db;
  readonly cabinets: CabinetRepository;
  readonly brokerAccounts: BrokerAccounts;
  readonly broker: EmbeddedBroker | undefined;
  readonly mosquittoFiles: MosquittoFiles | undefined;
  readonly notifications: NotificationService;
  readonly accounts: Accounts;
  readonly operators: OperatorAccounts;
  readonly audit: AuditLog;
  readonly commands: CommandLog;
  readonly tasks: Tasks;
  private fleetLink: FleetLink | undefined;
  private desiredState: DesiredStateService | undefined;
  private http: FastifyInstance | undefined;
  private started = false;

  constructor(
    readonly config: CloudConfig,
    logger?: Logger,
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
    this.notifications = new NotificationService(
      new NotificationRepository(this.db),
      this.logger.child({ subsystem: 'notifications' }),
    );
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
    this.tasks = createTasks(
      this.db,
      (userId, kind, payload) => this.notifications.publish(userId, kind, payload),
      this.logger.child({ subsystem: 'tasks' }),
    );
    if (!config.secrets.sealKey) {
      this.logger.warn(
        'secrets.sealKey is not set; deriving the seal key from adminToken (set one in production)',
      );
    }
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
  }

  get app(): FastifyInstance {
    if (!this.http) throw new Error('cloud not started');
    return this.http;
  }

  get desired(): DesiredStateService {
    if (!this.desiredState) throw new Error('cloud not started');
    return this.desiredState;
  }

  get fleet(): FleetLink {
    if (!this.fleetLink) throw new Error('cloud not started');
    return this.fleetLink;
  }

  /** The broker URL cabinets and the cloud connect to. */
  get brokerUrl(): string {
    if (this.config.broker.url) return this.config.broker.url;
    if (!this.broker) throw new Error('broker.url is required when the embedded broker is disabled');
    return `mqtt://${this.config.broker.embedded.host}:${this.broker.port}`;
  }

  get httpUrl(): string {
    const addr = this.app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.config.http.port;
    return `http://${this.config.http.host}:${port}`;
  }

  async start(): Promise<void> {
    await migrateToLatest(this.db);
    await this.mosquittoFiles?.write();
    await this.broker?.start();
    this.fleetLink = new FleetLink({
      url: this.brokerUrl,
      username: this.config.broker.serviceUsername,
      password: this.config.broker.servicePassword,
      commandTimeoutMs: this.config.commandTimeoutMs,
      limits: this.config.broker.limits,
      cabinets: this.cabinets,
      commands: this.commands,
      audit: this.audit,
      logger: this.logger.child({ subsystem: 'fleet' }),
    });
    const fleet = this.fleetLink;
    const desired = new DesiredStateService(
      this.db,
      this.cabinets,
      fleet,
      this.logger.child({ subsystem: 'desired-state' }),
    );
    this.desiredState = desired;
    fleet.on('desiredGet', ({ cabinetId, appliedVersion }) => {
      desired.answer(cabinetId, appliedVersion).catch((err: unknown) => {
        this.logger.error({ err, cabinetId }, 'desired-state answer failed');
      });
    });
    await fleet.start();
    this.http = await buildApp({
      config: this.config,
      logger: this.logger,
      db: this.db,
      cabinets: this.cabinets,
      fleet: this.fleetLink,
      desired,
      brokerAccounts: this.brokerAccounts,
      accounts: this.accounts,
      notifications: this.notifications,
      operators: this.operators,
      audit: this.audit,
      commands: this.commands,
      tasks: this.tasks,
      ready: () => this.started,
    });
    await this.http.listen({ host: this.config.http.host, port: this.config.http.port });
    this.started = true;
    this.logger.info({ http: this.httpUrl, broker: this.brokerUrl }, 'cloud started');
  }

  /** Stops everything that started; a part that fails to stop is logged, not thrown. */
  async stop(): Promise<void> {
    this.started = false;
    const steps: Array<[string, () => Promise<unknown> | undefined]> = [
      ['http', () => this.http?.close()],
      ['fleet', () => this.fleetLink?.stop()],
      ['broker', () => this.broker?.stop()],
      ['database', () => this.db.destroy()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        this.logger.error({ err, subsystem: name }, 'stop failed');
      }
    }
  }
}
