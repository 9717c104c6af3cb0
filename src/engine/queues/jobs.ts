/**
 * The typed job map: job name → data. Queues and workers derive from it; adding a job is one
 * line here and one handler where the runtime is started (engine.ts).
 */
export interface JobMap {
  scan: { runId: string };
  /** One mailbox of a copy run (structure, full, delta, retry). */
  copy: { runId: string; mailboxRunId: string };
  /** Verification and the final status of a copy run, once every mailbox run is terminal. */
  finalize: { runId: string };
}

export type JobName = keyof JobMap;
export type JobData<N extends JobName> = JobMap[N];
export const JOB_NAMES: readonly JobName[] = ['scan', 'copy', 'finalize'];

/**
 * Deterministic job ids: enqueuing the same work twice gives one job. BullMQ 5 refuses ':' in
 * custom ids, hence '-'.
 */
export function jobIdFor<N extends JobName>(name: N, data: JobData<N>): string {
  if (name === 'copy') return `copy-${(data as JobMap['copy']).mailboxRunId}`;
  return `${name}-${data.runId}`;
}
