import { and, eq, like, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { AppError } from '../../../errors.js';
import { newId } from '../../ids.js';
import { logEvent } from './copy-events.js';
import { rowsOf } from './copy-ledger.js';
import { Postpone } from './copy-session.js';
import type { RunMode, RunOptions } from '../../api.js';
import type { Connector, MailboxRef, MailboxKind } from '../../connectors/types.js';
import type { EngineContext } from '../../context.js';
import { connections, mailboxes, mailboxRunEvents, mailboxRuns, mappings, projects, runs } from '../../db/schema.js';
import { decryptSettings } from '../../secrets.js';

type MailboxRow = typeof mailboxes.$inferSelect;
type ConnectionRow = typeof connections.$inferSelect;

export interface CopyWork {
  run: typeof runs.$inferSelect;
  project: typeof projects.$inferSelect;
  mailboxRun: typeof mailboxRuns.$inferSelect;
  mapping: typeof mappings.$inferSelect;
  sourceRef: MailboxRef;
  destinationRef: MailboxRef;
  mode: Exclude<RunMode, 'scan'>;
  options: RunOptions;
  /** The project's connection rows, read with the rest (openConnectors uses them). */
  connections: ConnectionRow[];
}

export function refOf(row: MailboxRow): MailboxRef {
  return { id: row.externalId, address: row.address, displayName: row.displayName, kind: row.kind as MailboxKind };
}

/** A destination that does not exist yet (create_missing): addressed by its address alone. */
export function plannedRef(address: string): MailboxRef {
  return { id: address, address, displayName: address.split('@')[0] ?? address, kind: 'user' };
}

const sourceMailbox = alias(mailboxes, 'source_mailbox');
const destinationMailbox = alias(mailboxes, 'destination_mailbox');
const sourceConnection = alias(connections, 'source_connection');
const destinationConnection = alias(connections, 'destination_connection');

/** The rows a copy job needs (one query), or null when there is nothing to do (finished, cancelled, unknown). */
export async function loadWork(ctx: EngineContext, mailboxRunId: string): Promise<CopyWork | null> {
  const [row] = await ctx.db.select().from(mailboxRuns)
    .innerJoin(runs, eq(mailboxRuns.runId, runs.id)).innerJoin(projects, eq(runs.projectId, projects.id))
    .innerJoin(mappings, eq(mailboxRuns.mappingId, mappings.id))
    .innerJoin(sourceMailbox, eq(sourceMailbox.id, mappings.sourceMailboxId))
    .leftJoin(destinationMailbox, eq(destinationMailbox.id, mappings.destinationMailboxId))
    .leftJoin(sourceConnection, and(eq(sourceConnection.projectId, projects.id), eq(sourceConnection.side, 'source')))
    .leftJoin(destinationConnection, and(eq(destinationConnection.projectId, projects.id), eq(destinationConnection.side, 'destination')))
    .where(eq(mailboxRuns.id, mailboxRunId)).limit(1);
  if (!row || row.runs.mode === 'scan') return null;
  if (!['pending', 'running'].includes(row.mailbox_runs.status) || !['queued', 'running'].includes(row.runs.status)) return null;
  const source = row.source_mailbox;
  const destination = row.destination_mailbox;
  const address = destination?.address ?? row.mappings.destinationAddress;
  if (!address) throw new AppError('BAD_INPUT', `${source.address} has no destination mailbox; match it, then run retry.`);
  return {
    run: row.runs, project: row.projects, mailboxRun: row.mailbox_runs, mapping: row.mappings,
    sourceRef: refOf(source), destinationRef: destination ? refOf(destination) : plannedRef(address),
    mode: row.runs.mode, options: row.runs.options as RunOptions,
    connections: [row.source_connection, row.destination_connection].filter((c): c is ConnectionRow => c !== null),
  };
}

/** Both connectors of a project (its connection rows given, or read now), decrypted like the scan does. */
export async function openConnectors(ctx: EngineContext, projectId: string, rows?: ConnectionRow[]): Promise<{ source: Connector; destination: Connector; close(): Promise<void> }> {
  const conns = rows ?? await ctx.db.select().from(connections).where(eq(connections.projectId, projectId));
  const opened: Connector[] = [];
  const close = async () => { for (const c of opened) await c.close().catch(() => undefined); };
  try {
    const open = async (side: 'source' | 'destination') => {
      const conn = conns.find((c) => c.side === side);
      if (!conn) throw new AppError('NOT_CONNECTED', `The ${side} connection is missing; connect it, then run retry.`);
      const connector = await ctx.connect(decryptSettings(conn.secret, ctx.secretKey));
      opened.push(connector);
      return connector;
    };
    return { source: await open('source'), destination: await open('destination'), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Marks the mailbox run running (one more attempt, no check yet), the run too if it was still
 * queued, and logs the start: one statement. Returns the attempt, 0 when the mailbox run is over.
 */
export async function markStarted(ctx: EngineContext, work: CopyWork): Promise<number> {
  const now = ctx.now().toISOString();
  const first = `Started ${work.mode} copy of ${work.sourceRef.address} to ${work.destinationRef.address}`;
  const started = await ctx.db.execute(sql`
    with run_started as (
      update runs set status = 'running', started_at = coalesce(started_at, ${now}::timestamptz) where id = ${work.run.id} and status = 'queued'),
    attempt as (
      update mailbox_runs set status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, ${now}::timestamptz),
        last_progress_at = ${now}::timestamptz, verification = null
      where id = ${work.mailboxRun.id} and status in ('pending', 'running') returning id, attempts),
    logged as (
      insert into mailbox_run_events (mailbox_run_id, level, message)
      select id, 'info', case when attempts > 1 then 'Started again (attempt ' || attempts || ')' else ${first}::text end from attempt)
    select attempts from attempt`);
  return Number(rowsOf<{ attempts: number | string }>(started)[0]?.attempts ?? 0);
}

/** A new mailbox is polled this often while the job waits in place… */
const READY_POLL_MS = 1000;
/** …for this long; then the job goes back to the queue (freeing its worker slot) and looks again later. */
const READY_WAIT_IN_PLACE_MS = 10_000;
const READY_POSTPONE_MS = 15_000;
/** Microsoft provisions a licensed mailbox within minutes; after this long something else is wrong (no Exchange plan in the license). */
const READY_GIVE_UP_MS = 60 * 60 * 1000;

async function loggedBefore(ctx: EngineContext, mailboxRunId: string, message: string): Promise<boolean> {
  const found = await ctx.db.select({ at: mailboxRunEvents.at }).from(mailboxRunEvents)
    .where(and(eq(mailboxRunEvents.mailboxRunId, mailboxRunId), eq(mailboxRunEvents.message, message))).limit(1);
  return found.length > 0;
}

/** When this mailbox run started waiting for its new mailbox (now, if it has not logged that yet). */
async function waitingSince(ctx: EngineContext, mailboxRunId: string): Promise<number> {
  const [first] = await ctx.db.select({ at: mailboxRunEvents.at }).from(mailboxRunEvents)
    .where(and(eq(mailboxRunEvents.mailboxRunId, mailboxRunId), like(mailboxRunEvents.message, 'Created user %'))).orderBy(mailboxRunEvents.id).limit(1);
  return first ? first.at.getTime() : ctx.now().getTime();
}

/**
 * create_missing on a platform that creates users (Microsoft 365): creates the destination user once
 * (display name and address from the source, a usage location and license from the run), records it
 * on the mapping before anything else, and returns only once its mailbox takes items; until then the
 * job is postponed, never failed. No item moves before that, so no credit is consumed either.
 */
export async function ensureDestination(ctx: EngineContext, work: CopyWork, destination: Connector, signal: AbortSignal): Promise<MailboxRef> {
  if (work.mapping.status !== 'create_missing' || !destination.createMailbox) return work.destinationRef;
  let ref = work.destinationRef;
  if (!work.mapping.destinationMailboxId) {
    const wanted = work.options.createMissing;
    if (!wanted) {
      throw new AppError('BAD_INPUT', `${ref.address} does not exist at the destination yet, and this run was launched without a usage location and license for new users. Launch a full run and pick them on the launch card.`);
    }
    const creating = `Creating user ${ref.address}`;
    const triedBefore = await loggedBefore(ctx, work.mailboxRun.id, creating);
    await logEvent(ctx.db, work.mailboxRun.id, 'info', creating);
    let created: MailboxRef;
    try {
      created = await withThrottle(() => destination.createMailbox!({ address: ref.address, displayName: work.sourceRef.displayName, usageLocation: wanted.usageLocation, skuId: wanted.skuId, adopt: triedBefore }, signal));
    } catch (error) {
      // An earlier attempt of this mailbox created the user and died before recording it: use that user (found in
      // the directory, else addressed by its sign-in name, which Graph accepts wherever an id goes). A stranger's account stays a CONFLICT.
      if (!AppError.is(error, 'CONFLICT') || !triedBefore) throw error;
      created = await findCreated(destination, ref.address, signal) ?? { id: ref.address, address: ref.address, displayName: work.sourceRef.displayName, kind: 'user' };
    }
    ref = await recordCreated(ctx, work, created);
    await logEvent(ctx.db, work.mailboxRun.id, 'info', `Created user ${ref.address}; waiting for the mailbox`);
  }
  await waitUntilReady(ctx, work, destination, ref, signal);
  // From now on it is a destination like any other (the review and the CSV export say so); until here
  // a retry must still wait for the mailbox, so the status changes only once it is ready.
  await ctx.db.update(mappings).set({ status: 'matched', confidence: 1, reason: 'created by mailferry', updatedAt: ctx.now() })
    .where(and(eq(mappings.id, work.mapping.id), eq(mappings.status, 'create_missing')));
  return ref;
}

/** Pages of the directory searched for a user created by an attempt that died (a rare path: bounded). */
const FIND_CREATED_PAGES = 20;

async function findCreated(destination: Connector, address: string, signal: AbortSignal): Promise<MailboxRef | null> {
  let page: string | undefined;
  for (let i = 0; i < FIND_CREATED_PAGES; i++) {
    const listed = await withThrottle(() => destination.listMailboxes(page, signal));
    const found = listed.mailboxes.find((m) => m.address.toLowerCase() === address.toLowerCase());
    if (found) return found;
    if (!listed.nextPage) return null;
    page = listed.nextPage;
  }
  return null;
}

/** A THROTTLED answer to a directory call comes back later instead of failing the mailbox. */
async function withThrottle<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (AppError.is(error, 'THROTTLED')) throw new Postpone(error.retryAfterMs ?? 30_000);
    throw error;
  }
}

/** The new user becomes the mapping's destination mailbox, in one transaction: a retry never creates it twice. */
async function recordCreated(ctx: EngineContext, work: CopyWork, created: MailboxRef): Promise<MailboxRef> {
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.insert(mailboxes).values({
      id: newId('mbx'), projectId: work.project.id, side: 'destination', externalId: created.id, address: created.address, displayName: created.displayName, kind: created.kind,
    }).onConflictDoUpdate({ target: [mailboxes.projectId, mailboxes.side, mailboxes.externalId], set: { address: created.address, updatedAt: ctx.now() } }).returning();
    if (!row) throw new Error('insert returned no row');
    await tx.update(mappings).set({ destinationMailboxId: row.id, destinationAddress: row.address, updatedAt: ctx.now() }).where(eq(mappings.id, work.mapping.id));
    return refOf(row);
  });
}

async function waitUntilReady(ctx: EngineContext, work: CopyWork, destination: Connector, ref: MailboxRef, signal: AbortSignal): Promise<void> {
  if (!destination.mailboxReady) return;
  const until = Date.now() + READY_WAIT_IN_PLACE_MS;
  let waited = false;
  for (;;) {
    signal.throwIfAborted();
    if (await withThrottle(() => destination.mailboxReady!(ref, signal))) break;
    if (!waited) {
      waited = true;
      await ctx.db.execute(sql`update mailbox_runs set health_reason = ${`waiting for the new mailbox ${ref.address} to be provisioned`} where id = ${work.mailboxRun.id} and status = 'running'`);
    }
    if (Date.now() >= until) {
      if (ctx.now().getTime() - (await waitingSince(ctx, work.mailboxRun.id)) > READY_GIVE_UP_MS) {
        throw new AppError('BAD_INPUT', `The new mailbox ${ref.address} was still not provisioned after an hour. Check in the Microsoft 365 admin center that its license includes Exchange Online, then run retry.`);
      }
      throw new Postpone(READY_POSTPONE_MS);
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  if (waited) {
    await ctx.db.execute(sql`update mailbox_runs set health_reason = null where id = ${work.mailboxRun.id} and status = 'running'`);
    await logEvent(ctx.db, work.mailboxRun.id, 'info', `Mailbox ${ref.address} is ready`);
  }
}
