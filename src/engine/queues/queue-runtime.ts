import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { EngineLog } from '../context.js';
import { JOB_NAMES, type JobData, type JobName } from './jobs.js';

export interface JobControl {
  signal?: AbortSignal;
  finalAttempt: boolean;
  /** Which attempt this is (1-based). */
  attempt: number;
  /** Puts the job back in the delayed set for `ms` and ends this attempt (never counts as a failure). */
  postpone(ms: number): Promise<never>;
}

export type JobHandler<N extends JobName> = (data: JobData<N>, job: JobControl) => Promise<void>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

const ATTEMPTS: Record<JobName, number> = { scan: 3, copy: 6, finalize: 5 };

/** One queue and (when started) one worker per job name, all under the configured prefix. */
export class QueueRuntime {
  readonly redis: Redis;
  private readonly queues = new Map<JobName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];

  constructor(private readonly redisUrl: string, readonly prefix: string, private readonly log: EngineLog) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.redis.on('error', (error) => this.log.warn({ err: error.message }, 'redis connection error'));
  }

  private queue(name: JobName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: this.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName>(name: N, data: JobData<N>, jobId: string, delayMs = 0): Promise<void> {
    await this.queue(name).add(name, data, {
      jobId, attempts: ATTEMPTS[name], backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000,
      ...(delayMs > 0 ? { delay: delayMs } : {}),
    });
  }

  /** Whether a job with this id is waiting, delayed or running (a finished or failed one does not count). */
  async isPending(name: JobName, jobId: string): Promise<boolean> {
    const job = await this.queue(name).getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    return ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'].includes(state);
  }

  /** Of these job ids, the ones with no live job (missing, or failed for good): one round trip for all. */
  async notPending(name: JobName, jobIds: string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    const base = `${this.prefix}:${name}`;
    const pipeline = this.redis.pipeline();
    for (const id of jobIds) {
      pipeline.exists(`${base}:${id}`);
      pipeline.zscore(`${base}:failed`, id);
    }
    const answers = (await pipeline.exec()) ?? [];
    return jobIds.filter((_, i) => answers[2 * i]?.[1] !== 1 || answers[2 * i + 1]?.[1] !== null);
  }

  /** Removes a job unless it is running (a locked job cannot be removed; it stops on its abort flag). */
  async removeJob(name: JobName, jobId: string): Promise<void> {
    await this.queue(name).remove(jobId).catch(() => undefined);
  }

  start(handlers: JobHandlers, concurrency: Partial<Record<JobName, number>> = {}): void {
    if (this.workers.length > 0) return;
    for (const name of JOB_NAMES) {
      const handler = handlers[name] as JobHandler<JobName>;
      const connection = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
      connection.on('error', (error) => this.log.warn({ err: error.message }, 'worker redis connection error'));
      this.workerConnections.push(connection);
      const worker = new Worker(name, async (job: Job, token?: string, signal?: AbortSignal) => {
        const attempt = job.attemptsMade + 1;
        await handler(job.data as JobData<JobName>, {
          signal, attempt, finalAttempt: attempt >= (job.opts.attempts ?? 1),
          postpone: async (ms) => {
            await job.moveToDelayed(Date.now() + ms, token);
            throw new DelayedError();
          },
        });
      // A killed worker's job is picked up again within ~20 s (lock 15 s, stall check 5 s); a mailbox may be killed more than once.
      }, { connection, prefix: this.prefix, concurrency: concurrency[name] ?? 2, maxStalledCount: 20, lockDuration: 15_000, stalledInterval: 5_000 });
      // A job whose lock is lost may run elsewhere soon: stop this copy of it between items.
      worker.on('lockRenewalFailed', (ids) => { for (const id of ids) worker.cancelJob(id, 'lock lost'); });
      worker.on('failed', (job, error) => this.log.warn({ jobId: job?.id, err: error.message }, 'job failed'));
      worker.on('error', (error) => this.log.warn({ err: error.message }, 'worker error'));
      this.workers.push(worker);
    }
  }

  /** Drops every Redis socket at once, for a close() that cannot finish cleanly (Redis down). */
  disconnect(): void {
    for (const worker of this.workers) void worker.close(true).catch(() => undefined);
    for (const connection of this.workerConnections) connection.disconnect();
    for (const queue of this.queues.values()) void queue.disconnect().catch(() => undefined);
    this.redis.disconnect();
  }

  async close(): Promise<void> {
    for (const worker of this.workers) await worker.close();
    for (const connection of this.workerConnections) await connection.quit().catch(() => connection.disconnect());
    for (const queue of this.queues.values()) await queue.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
