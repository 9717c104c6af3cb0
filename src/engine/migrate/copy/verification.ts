/**
 * The verification of a copy run: per mapping and folder, the source count, the destination count
 * and the ledger count, from each side's own listing — not from our counters. Each mailbox is checked
 * by the copy job that completed it (checkMailbox, strict), the rest by the finalizer (verifyRun).
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../errors.js';
import type { RunMode, RunOptions, VerificationInfo } from '../../api.js';
import type { Connector, FolderInfo, ItemType, MailboxRef } from '../../connectors/types.js';
import type { EngineContext } from '../../context.js';
import { runBounded } from '../bounded-pool.js';
import { rowsOf } from './copy-ledger.js';
import { runItemTypes } from './run-item-types.js';

export type MailboxCheck = VerificationInfo['mailboxes'][number];

/** What a run's verification counts: its mode, whether a date range left items out, the item types it moved. */
export interface VerifyScope {
  mode: string;
  dated: boolean;
  itemTypes: ItemType[];
}

export interface VerifyTarget {
  mappingId: string;
  source: MailboxRef;
  destination: MailboxRef;
  status: string;
  /** The check stored by the attempt that completed this mailbox run, if any. */
  checked?: MailboxCheck | null;
}

export function verifyScope(mode: RunMode, options: RunOptions): VerifyScope {
  return { mode, dated: Boolean(options.from ?? options.to), itemTypes: runItemTypes(mode, options) };
}

async function patiently<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!AppError.is(error, 'THROTTLED') || attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, Math.min(error.retryAfterMs ?? 1000, 30_000)));
    }
  }
}

/** A side's folders with counts; null when it cannot be listed (strict: the error is thrown instead). */
async function listOrNone(ctx: EngineContext, connector: Connector, mailbox: MailboxRef, itemTypes: ItemType[], strict: boolean): Promise<FolderInfo[] | null> {
  try {
    return await patiently(() => connector.listFolders(mailbox, { withStats: true, itemTypes }));
  } catch (error) {
    if (strict) throw error;
    ctx.log.warn({ address: mailbox.address, err: String(error) }, 'verification could not list folders');
    return null;
  }
}

/** The folder cursors (source → destination folder) and the ledger count per source folder of a mapping, in one query. */
async function mappingFolders(ctx: EngineContext, mappingId: string): Promise<{ cursors: Map<string, string>; ledger: Map<string, number> }> {
  const found = await ctx.db.execute(sql`select 'c' as kind, source_folder_key as src, destination_folder_key as dst, 0::bigint as n
      from folder_cursors where mapping_id = ${mappingId}
    union all select 'l', source_folder_key, null, count(*) from item_ledger where mapping_id = ${mappingId} group by source_folder_key`);
  const cursors = new Map<string, string>();
  const ledger = new Map<string, number>();
  for (const r of rowsOf<{ kind: string; src: string; dst: string | null; n: number | string }>(found)) {
    if (r.kind === 'c') cursors.set(r.src, r.dst ?? '');
    else ledger.set(r.src, Number(r.n));
  }
  return { cursors, ledger };
}

/**
 * One mailbox's check. Strict (the copy job, right after a success): a side that cannot be listed
 * throws, so that the finalizer checks the mailbox again rather than trusting a transient failure.
 * Lenient (the finalizer): a source that cannot be listed gives no folders; a destination that
 * cannot be listed (never created, sign-in refused) holds nothing.
 */
export async function checkMailbox(ctx: EngineContext, scope: VerifyScope, source: Connector, destination: Connector, t: VerifyTarget, strict = false): Promise<MailboxCheck> {
  const { mode, dated, itemTypes } = scope;
  const base = { sourceAddress: t.source.address, destinationAddress: t.destination.address };
  const sourceFolders = await listOrNone(ctx, source, t.source, itemTypes, strict);
  if (!sourceFolders) return { ...base, folders: [], missing: 0 };
  const destinationFolders = (await listOrNone(ctx, destination, t.destination, itemTypes, strict)) ?? [];
  const { cursors, ledger } = await mappingFolders(ctx, t.mappingId);
  const destCount = new Map(destinationFolders.map((f) => [f.key, f.count ?? 0]));
  const folders: MailboxCheck['folders'] = [];
  // Folders the run did not take (types left out, unsupported at the destination) are not counted; a failed mailbox's are.
  const taken = cursors.size > 0 ? sourceFolders.filter((f) => cursors.has(f.key))
    : t.status === 'failed' ? sourceFolders.filter((f) => mode === 'structure' || (f.count ?? 0) > 0) : [];
  for (const from of taken) {
    const sourceCount = from.count ?? 0;
    const dst = cursors.get(from.key);
    const there = dst === undefined ? undefined : destCount.get(dst);
    const inLedger = ledger.get(from.key) ?? 0;
    // Structure runs move folders only: a folder is missing or it is not.
    // A date range leaves source items out on purpose: then only what the ledger holds must be there.
    const missing = mode === 'structure'
      ? (there === undefined ? 1 : 0)
      : dated ? Math.max(0, inLedger - (there ?? 0))
        : Math.max(0, sourceCount - inLedger, there === undefined ? sourceCount : inLedger - there);
    folders.push({ path: from.path.join('/'), source: sourceCount, destination: there ?? 0, ledger: inLedger, missing });
  }
  folders.sort((a, b) => a.path.localeCompare(b.path));
  return { ...base, folders, missing: folders.reduce((n, f) => n + f.missing, 0) };
}

/** A stored check, if it has the shape checkMailbox gives (anything else is checked again). */
export function storedCheck(value: unknown): MailboxCheck | null {
  const v = value as Partial<MailboxCheck> | null;
  if (!v || typeof v !== 'object' || !Array.isArray(v.folders) || typeof v.missing !== 'number') return null;
  return v as MailboxCheck;
}

export interface VerifyConnectors { source: Connector; destination: Connector; close(): Promise<void> }

/**
 * The run's verification: the stored check of each target that has one, a fresh check (4 at a time,
 * connectors opened only when needed) of the others; then the score over every mailbox.
 */
export async function verifyRun(ctx: EngineContext, run: VerifyScope & { id: string; projectName: string }, targets: VerifyTarget[], open: () => Promise<VerifyConnectors>): Promise<VerificationInfo> {
  // Addresses are today's (as a fresh check would give them); counts are the completing attempt's.
  const mailboxes: MailboxCheck[] = targets.flatMap((t) => (t.checked ? [{ ...t.checked, sourceAddress: t.source.address, destinationAddress: t.destination.address }] : []));
  const unchecked = targets.filter((t) => !t.checked);
  if (unchecked.length > 0) {
    const connectors = await open();
    try {
      await runBounded(unchecked, 4, async (t) => { mailboxes.push(await checkMailbox(ctx, run, connectors.source, connectors.destination, t)); });
    } finally {
      await connectors.close();
    }
  }
  mailboxes.sort((a, b) => a.sourceAddress.localeCompare(b.sourceAddress));
  const [failed] = rowsOf<{ n: number | string }>(await ctx.db.execute(sql`select count(*) as n from item_failures f
    join mailbox_runs mr on mr.mapping_id = f.mapping_id and mr.run_id = ${run.id} where not f.resolved`));
  const missingTotal = mailboxes.reduce((n, m) => n + m.missing, 0);
  const whole = mailboxes.reduce((n, m) => n + m.folders.reduce((k, f) => k + (run.mode === 'structure' ? 1 : run.dated ? f.ledger : f.source), 0), 0);
  const consistencyPercent = whole === 0 ? 100 : Math.round(((whole - Math.min(missingTotal, whole)) / whole) * 10_000) / 100;
  return { runId: run.id, projectName: run.projectName, consistencyPercent, mailboxes, missingTotal, failedItems: Number(failed?.n ?? 0) };
}
