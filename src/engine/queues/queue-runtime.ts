import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { EngineLog } from '../context.js';
import { JOB_NAMES, type JobData, type JobName } from './jobs.js';

export type JobHandler<N extends JobName> = (data: JobData<N>, job: { signal?: AbortSignal; finalAttempt: boolean }) => Promise<void>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

const ATTEMPTS = 3;

/** One queue and (when started) one worker per job name, all under the configured prefix. */
export class QueueRuntime {
  readonly redis: Redis;
  private readonly queues = new Map<JobName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly workerConnections: Redis[] = [];

  constructor(private readonly redisUrl: string, private readonly prefix: string, private readonly log: EngineLog) {
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

  async enqueue<N extends JobName>(name: N, data: JobData<N>, jobId: string): Promise<void> {
    await this.queue(name).add(name, data, {
      jobId, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000,
    });
  }

  /** Whether a job with this id is waiting, delayed or running (a finished or failed one does not count). */
  async isPending(name: JobName, jobId: string): Promise<boolean> {
    const job = await this.queue(name).getJob(jobId);
    if (!job) return false;
    const state = await job.getState();
    return ['waiting', 'delayed', 'active', 'prioritized', 'waiting-children'].includes(state);
  }

  async removeJob(name: JobName, jobId: string): Promise<void> {
    await this.queue(name).remove(jobId).catch(() => undefined);
  }

  start(handlers: JobHandlers, concurrency = 2): void {
    if (this.workers.length > 0) return;
    for (const name of JOB_NAMES) {
      const handler = handlers[name] as JobHandler<JobName>;
      const connection = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
      this.workerConnections.push(connection);
      const worker = new Worker(name, async (job: Job, _token?: string, signal?: AbortSignal) => {
        await handler(job.data as JobData<JobName>, { signal, finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
      }, { connection, prefix: this.prefix, concurrency });
      worker.on('failed', (job, error) => this.log.warn({ jobId: job?.id, err: error.message }, 'job failed'));
      worker.on('error', (error) => this.log.warn({ err: error.message }, 'worker error'));
      this.workers.push(worker);
    }
  }

  async close(): Promise<void> {
    for (const worker of this.workers) await worker.close();
    for (const connection of this.workerConnections) await connection.quit().catch(() => connection.disconnect());
    for (const queue of this.queues.values()) await queue.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
