import { sql } from 'drizzle-orm';
import { createLogger } from '../log.js';
import type { Engine, EngineOptions } from './api.js';
import { connectionForm, parseConnectionForm, platforms } from './connection-forms.js';
import type { EngineContext } from './context.js';
import { createConnector } from './connectors/index.js';
import { configureSandboxData } from './connectors/sandbox/sandbox-journal.js';
import { openStore } from './db/client.js';
import { runCopyMailbox } from './migrate/copy/copy-job.js';
import { finalizeRun } from './migrate/copy/copy-finalize.js';
import { runScan } from './migrate/scan-runner.js';
import { findCard, getConversationRef, saveCard, saveConversationRef } from './operations/chat-refs.js';
import { saveConnection } from './operations/connection-save.js';
import * as credits from './operations/credits.js';
import * as consent from './operations/m365-consent.js';
import { createMissingPlan } from './operations/m365-skus.js';
import * as subs from './operations/subscriptions.js';
import { saveUserAlias } from './operations/user-alias.js';
import { ensureDemoProject } from './operations/demo-project.js';
import { exportMappingCsv } from './operations/mapping-export.js';
import { importMappingCsv } from './operations/mapping-import.js';
import { mailboxLog } from './operations/mailbox-log.js';
import { mailboxStatus } from './operations/mailbox-status.js';
import { updateMapping } from './operations/mapping-update.js';
import { getMatchReview } from './operations/match-review.js';
import { createProject } from './operations/project-create.js';
import { getProject, listProjects } from './operations/project-read.js';
import { grantRole, listRoles, revokeRole } from './operations/role-change.js';
import { cancelRun } from './operations/run-cancel.js';
import { launchRun } from './operations/run-launch.js';
import { getRun, latestRun } from './operations/run-read.js';
import { startScan } from './operations/scan-start.js';
import { getVerification } from './operations/verification-read.js';
import { readAudit, writeAudit } from './policies/audit-writer.js';
import { authorize, ensureOrg, rolesOf } from './policies/roles.js';
import { publishEvent, subscribeEvents } from './queues/event-bus.js';
import { QueueRuntime } from './queues/queue-runtime.js';
import { reconcileRuns } from './queues/run-reconciler.js';
import { DEFAULT_STALL_AFTER_MS, markStalled } from './queues/stall-watchdog.js';
import { decryptSettings, encryptSettings } from './secrets.js';

/** How long a readiness probe (database, Redis) may take before it counts as down. */
const PROBE_TIMEOUT_MS = 1500;
/** How long close() waits for a clean Redis shutdown before it disconnects. */
const CLOSE_TIMEOUT_MS = 5000;

/** `promise`'s value, or `fallback` if it has not settled within `ms` (the promise keeps running). */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => { timer = setTimeout(() => resolve(fallback), ms); });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Wires the store, the queues and the operations into the Engine of api.ts. */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  // Fail on a bad key now, not at the first saved connection.
  decryptSettings(encryptSettings({ platform: 'sandbox', seed: 0, mailboxes: 0, messagesPerMailbox: 0, domain: 'x.example' }, options.secretKey), options.secretKey);
  const log = options.log ?? createLogger();
  const store = await openStore({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
  // The sandbox destination keeps its writes next to the store, so every process sees the same tenant.
  configureSandboxData(options.dataDir ?? './data');
  const runtime = new QueueRuntime(options.redisUrl, options.queuePrefix, log);
  const unsubscribers = new Set<() => Promise<void>>();
  const ctx: EngineContext = {
    store, db: store.db, options, secretKey: options.secretKey, log,
    now: options.now ?? (() => new Date()),
    enqueue: (name, data, jobId) => runtime.enqueue(name, data, jobId),
    publish: (event) => publishEvent(runtime.redis, options.queuePrefix, event).catch((error: unknown) => log.warn({ err: String(error) }, 'event publish failed')),
    runtime,
    connect: options.connect ?? ((settings) => createConnector(settings, options.connectorEnv ?? {})),
  };
  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  /** One pass of the reconciler and the watchdog at a time, whatever the interval. */
  let housekeeping: Promise<void> | null = null;
  const houseKeep = () => {
    housekeeping ??= (async () => {
      try {
        await markStalled(ctx, options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS);
        await reconcileRuns(ctx, runtime);
        await credits.expireHolds(ctx);
      } catch (error) {
        if (!closed) log.warn({ err: String(error) }, 'reconciler pass failed');
      } finally {
        housekeeping = null;
      }
    })();
    return housekeeping;
  };

  return {
    platforms,
    connectionForm,
    parseConnectionForm,
    rolesOf: (actor) => rolesOf(ctx, actor),
    authorize: (actor, allowed, action, projectId) => authorize(ctx, actor, allowed, action, projectId),
    listRoles: (actor) => listRoles(ctx, actor),
    grantRole: (actor, props) => grantRole(ctx, actor, props),
    revokeRole: (actor, props) => revokeRole(ctx, actor, props),
    audit: async (actor, entry) => {
      await ensureOrg(ctx.db, actor);
      await writeAudit(ctx.db, actor, entry);
    },
    listAudit: (orgId, limit) => readAudit(ctx.db, orgId, limit),
    createProject: (actor, props) => createProject(ctx, actor, props),
    listProjects: (actor) => listProjects(ctx, actor),
    getProject: (actor, nameOrId) => getProject(ctx, actor, { project: nameOrId }),
    saveConnection: (actor, props) => saveConnection(ctx, actor, props),
    startScan: (actor, props) => startScan(ctx, actor, props),
    getRun: (runId) => getRun(ctx, runId),
    launchRun: (actor, props) => launchRun(ctx, actor, props),
    cancelRun: (actor, props) => cancelRun(ctx, actor, props),
    mailboxStatus: (actor, props) => mailboxStatus(ctx, actor, props),
    mailboxLog: (actor, props) => mailboxLog(ctx, actor, props),
    getVerification: (actor, props) => getVerification(ctx, actor, props),
    creditNeed: (actor, props) => credits.creditNeed(ctx, actor, props),
    credits: (actor) => credits.creditsInfo(ctx, actor),
    grantCredits: (actor, props) => credits.grantCredits(ctx, actor, props),
    ledger: (actor, props) => credits.ledger(ctx, actor, props),
    exportLedgerCsv: (actor) => credits.exportLedgerCsv(ctx, actor),
    setCreditPolicy: (actor, policy) => credits.setCreditPolicy(ctx, actor, policy),
    getHold: (actor, holdId) => credits.getHold(ctx, actor, holdId),
    listHolds: (actor, props) => credits.listHolds(ctx, actor, props),
    decideHold: (actor, props) => credits.decideHold(ctx, actor, props),
    expireHolds: () => credits.expireHolds(ctx),
    subscribe: (actor, props) => subs.subscribe(ctx, actor, props),
    unsubscribe: (actor, props) => subs.unsubscribe(ctx, actor, props),
    subscribers: (props) => subs.subscribers(ctx, props),
    m365ConsentUrl: (actor, props) => consent.m365ConsentUrl(ctx, actor, props),
    completeM365Consent: (props) => consent.completeM365Consent(ctx, props),
    createMissingPlan: (actor, props) => createMissingPlan(ctx, actor, props),
    latestRun: (actor, props) => latestRun(ctx, actor, props),
    getMatchReview: (actor, props) => getMatchReview(ctx, actor, props),
    updateMapping: (actor, props) => updateMapping(ctx, actor, props),
    exportMappingCsv: (actor, props) => exportMappingCsv(ctx, actor, props),
    importMappingCsv: (actor, props) => importMappingCsv(ctx, actor, props),
    saveUserAlias: (props) => saveUserAlias(ctx, props),
    saveConversationRef: (props) => saveConversationRef(ctx, props),
    getConversationRef: (channelKey) => getConversationRef(ctx, channelKey),
    findCard: (subject, channelKey) => findCard(ctx, subject, channelKey),
    saveCard: (card) => saveCard(ctx, card),
    onEvent: async (handler) => {
      const unsubscribe = await subscribeEvents(options.redisUrl, options.queuePrefix, log, handler);
      const once = async () => { unsubscribers.delete(once); await unsubscribe(); };
      unsubscribers.add(once);
      return once;
    },
    startWorkers: async () => {
      runtime.start({
        scan: (data, job) => runScan(ctx, data.runId, job),
        copy: (data, job) => runCopyMailbox(ctx, data, job),
        finalize: (data) => finalizeRun(ctx, data.runId),
      }, { scan: 2, copy: options.copyConcurrency ?? 4, finalize: 1 });
      await reconcileRuns(ctx, runtime);
      // PostgreSQL stays the truth even if Redis loses keys mid-run (FLUSHALL): heal within seconds.
      const every = options.reconcileEveryMs ?? 5000;
      if (timers.length === 0) timers.push(setInterval(() => void houseKeep(), every));
    },
    ensureDemoProject: (orgId, channelKey) => ensureDemoProject(ctx, orgId, channelKey),
    ready: async () => {
      // Each probe is bounded on its own: a Redis that is down must not make the database look down too.
      const [database, redis] = await Promise.all([
        within(ctx.db.execute(sql`select 1`).then(() => true, () => false), PROBE_TIMEOUT_MS, false),
        within(runtime.redis.ping().then((r) => r === 'PONG', () => false), PROBE_TIMEOUT_MS, false),
      ]);
      return { database, redis };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      await within(housekeeping ?? Promise.resolve(), CLOSE_TIMEOUT_MS, undefined);
      for (const unsubscribe of [...unsubscribers]) await unsubscribe();
      // With Redis down, BullMQ's close waits on commands that never return: give it a moment, then cut the sockets.
      const quit = runtime.redis.status === 'ready' && await within(runtime.close().then(() => true), CLOSE_TIMEOUT_MS, false);
      if (!quit) runtime.disconnect();
      await store.close();
    },
  };
}
