import type { EngineEvent, EngineOptions } from './api.js';
import type { Db, Store } from './db/client.js';
import type { ConnectionSettings, Connector } from './connectors/types.js';
import type { JobData, JobName } from './queues/jobs.js';
import type { QueueRuntime } from './queues/queue-runtime.js';

export type EngineLog = NonNullable<EngineOptions['log']>;

/** What every operation gets: the store, the clock, the key, and the way to queue work and publish events. */
export interface EngineContext {
  store: Store;
  db: Db;
  options: EngineOptions;
  secretKey: string;
  now(): Date;
  log: EngineLog;
  /** Only after the transaction that wrote the rows has committed. */
  enqueue<N extends JobName>(name: N, data: JobData<N>, jobId: string): Promise<void>;
  publish(event: EngineEvent): Promise<void>;
  /** Queues, Redis (abort flags, progress gates) and job lookups for copy runs. */
  runtime: QueueRuntime;
  /** Opens the connector of decrypted settings (EngineOptions.connect lets tests wrap it). */
  connect(settings: ConnectionSettings): Promise<Connector>;
}
