/**
 * The typed job map: job name → data. Queues and workers derive from it; adding a job is one
 * line here and one handler in queues/handlers.ts.
 */
export interface JobMap {
  scan: { runId: string };
}

export type JobName = keyof JobMap;
export type JobData<N extends JobName> = JobMap[N];
export const JOB_NAMES: readonly JobName[] = ['scan'];

/** Deterministic job ids: enqueuing the same run twice gives one job. */
export function jobIdFor<N extends JobName>(name: N, data: JobData<N>): string {
  return `${name}-${data.runId}`;
}
