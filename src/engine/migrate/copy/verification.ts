/**
 * The verification pass at the end of a copy run: per mapping and folder, the source count, the
 * destination count and the ledger count, from each side's own listing — not from our counters.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../../errors.js';
import type { VerificationInfo } from '../../api.js';
import type { Connector, FolderInfo, ItemType, MailboxRef } from '../../connectors/types.js';
import type { EngineContext } from '../../context.js';
import { runBounded } from '../bounded-pool.js';
import { rowsOf } from './copy-ledger.js';

type MailboxCheck = VerificationInfo['mailboxes'][number];

export interface VerifyTarget {
  mappingId: string;
  source: MailboxRef;
  destination: MailboxRef;
  status: string;
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

async function listOrNone(ctx: EngineContext, connector: Connector, mailbox: MailboxRef, itemTypes: ItemType[]): Promise<FolderInfo[] | null> {
  try {
    return await patiently(() => connector.listFolders(mailbox, { withStats: true, itemTypes }));
  } catch (error) {
    ctx.log.warn({ address: mailbox.address, err: String(error) }, 'verification could not list folders');
    return null;
  }
}

async function checkMailbox(ctx: EngineContext, mode: string, dated: boolean, itemTypes: ItemType[], source: Connector, destination: Connector, t: VerifyTarget): Promise<MailboxCheck> {
  const base = { sourceAddress: t.source.address, destinationAddress: t.destination.address };
  const sourceFolders = await listOrNone(ctx, source, t.source, itemTypes);
  if (!sourceFolders) return { ...base, folders: [], missing: 0 };
  // A destination that cannot be listed (never created, sign-in refused) holds nothing.
  const destinationFolders = (await listOrNone(ctx, destination, t.destination, itemTypes)) ?? [];
  const cursors = new Map(rowsOf<{ src: string; dst: string }>(await ctx.db.execute(sql`select source_folder_key as src, destination_folder_key as dst
    from folder_cursors where mapping_id = ${t.mappingId}`)).map((r) => [r.src, r.dst]));
  const ledger = new Map(rowsOf<{ src: string; n: number | string }>(await ctx.db.execute(sql`select source_folder_key as src, count(*) as n
    from item_ledger where mapping_id = ${t.mappingId} group by source_folder_key`)).map((r) => [r.src, Number(r.n)]));
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

export async function verifyRun(ctx: EngineContext, run: { id: string; mode: string; projectName: string; dated: boolean; itemTypes?: ItemType[] }, source: Connector, destination: Connector, targets: VerifyTarget[]): Promise<VerificationInfo> {
  const itemTypes = run.itemTypes ?? ['mail', 'event', 'contact'];
  const mailboxes: MailboxCheck[] = [];
  await runBounded(targets, 4, async (t) => { mailboxes.push(await checkMailbox(ctx, run.mode, run.dated, itemTypes, source, destination, t)); });
  mailboxes.sort((a, b) => a.sourceAddress.localeCompare(b.sourceAddress));
  const [failed] = rowsOf<{ n: number | string }>(await ctx.db.execute(sql`select count(*) as n from item_failures f
    join mailbox_runs mr on mr.mapping_id = f.mapping_id and mr.run_id = ${run.id} where not f.resolved`));
  const missingTotal = mailboxes.reduce((n, m) => n + m.missing, 0);
  const whole = mailboxes.reduce((n, m) => n + m.folders.reduce((k, f) => k + (run.mode === 'structure' ? 1 : run.dated ? f.ledger : f.source), 0), 0);
  const consistencyPercent = whole === 0 ? 100 : Math.round(((whole - Math.min(missingTotal, whole)) / whole) * 10_000) / 100;
  return { runId: run.id, projectName: run.projectName, consistencyPercent, mailboxes, missingTotal, failedItems: Number(failed?.n ?? 0) };
}
