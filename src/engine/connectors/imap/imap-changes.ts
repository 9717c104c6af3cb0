/**
 * Change listing for one IMAP folder. The cursor says "every UID below uidNext was reported, with
 * flags as of highestModseq". A pass lists new UIDs page by page; with CONDSTORE it first reports
 * flag changes of already-reported UIDs (FETCH … CHANGEDSINCE). A new UIDVALIDITY voids every
 * stored UID: the listing starts over with reset:true and the engine dedupes.
 * Gap: expunges are not reported (that needs QRESYNC VANISHED).
 */
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../../errors.js';
import type { ChangePage, ChangeRef, Cursor } from '../types.js';
import { itemKey, portableFlags } from './imap-message.js';
import type { ImapReader } from './imap-reader.js';

export const CHANGES_PAGE_SIZE = 500;

interface ImapCursor {
  uidValidity: string;
  uidNext: number;
  highestModseq?: string;
}

export function parseCursor(cursor: Cursor | undefined): ImapCursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(cursor) as Partial<ImapCursor>;
    if (typeof parsed.uidValidity === 'string' && typeof parsed.uidNext === 'number') return parsed as ImapCursor;
  } catch {
    // fall through: a cursor we cannot read is reported as a reset, never silently trusted
  }
  return { uidValidity: '', uidNext: 1 };
}

/** What one look at a folder found, however it was asked: the folder's view, flag changes, new UIDs and the page's flags and sizes. */
interface Looked {
  uidValidity: string;
  uidNext: number;
  /** HIGHESTMODSEQ when the folder keeps mod-sequences. */
  modseq: bigint | undefined;
  /** Messages whose flags changed since the cursor's modseq; null when not asked or not told. */
  changed: { uid: number; flags?: Iterable<string> }[] | null;
  /** Every UID from the cursor on, ascending. */
  uids: number[];
  /** Flags and sizes of the first page of them. */
  page: { uid: number; flags?: Iterable<string>; size?: number }[];
}

/** The change page and the next cursor of one look (shared by the imapflow and the pipelined listing). */
function changePage(looked: Looked, stored: ImapCursor | undefined, from: number, pageSize: number, reset: boolean): ChangePage {
  const { uidValidity, modseq } = looked;
  const changes: ChangeRef[] = [];
  if (!reset && looked.changed && stored?.highestModseq && modseq !== undefined && modseq > BigInt(stored.highestModseq)) {
    for (const message of looked.changed) {
      if (message.uid < from) changes.push({ key: itemKey(uidValidity, message.uid), kind: 'flags', flags: portableFlags(message.flags) });
    }
  }
  // Flags and sizes come from the index; no header is read here (the body read gives the Message-ID when it is needed).
  for (const message of [...looked.page].sort((a, b) => a.uid - b.uid)) {
    changes.push({ key: itemKey(uidValidity, message.uid), kind: 'upsert', ...(message.size === undefined ? {} : { size: message.size }), flags: portableFlags(message.flags) });
  }
  const more = looked.uids.length > pageSize;
  const lastListed = looked.uids[Math.min(pageSize, looked.uids.length) - 1] ?? 0;
  const next: ImapCursor = {
    uidValidity,
    uidNext: more ? lastListed + 1 : Math.max(looked.uidNext, lastListed + 1, from),
    ...(modseq !== undefined ? { highestModseq: modseq.toString() } : {}),
  };
  return { changes, cursor: JSON.stringify(next), more, ...(reset ? { reset: true } : {}) };
}

export async function listChanges(client: ImapFlow, path: string, cursor: Cursor | undefined, pageSize = CHANGES_PAGE_SIZE): Promise<ChangePage> {
  const stored = parseCursor(cursor);
  const box = await client.mailboxOpen(path, { readOnly: true });
  const uidValidity = box.uidValidity.toString();
  const reset = stored !== undefined && stored.uidValidity !== uidValidity;
  const from = stored && !reset ? stored.uidNext : 1;
  // Modseq snapshot taken before listing: anything changed later has a higher modseq and shows up next time.
  const modseq = box.noModseq ? undefined : box.highestModseq;
  const changed = !reset && stored?.highestModseq && modseq !== undefined && from > 1 && modseq > BigInt(stored.highestModseq)
    ? await client.fetchAll(`1:${from - 1}`, { uid: true, flags: true }, { uid: true, changedSince: BigInt(stored.highestModseq) })
    : null;
  const uids = box.exists > 0 ? await newUids(client, from) : [];
  const wanted = uids.slice(0, pageSize);
  const page = wanted.length > 0 ? await client.fetchAll(wanted.join(','), { uid: true, flags: true, size: true }, { uid: true }) : [];
  return changePage({ uidValidity, uidNext: box.uidNext, modseq, changed, uids, page }, stored, from, pageSize, reset);
}

/**
 * The same page through mailferry's own reader (imap-reader.ts): EXAMINE, the flag changes and the
 * UID SEARCH in one write, the page's flags and sizes in a second. Null when the reader cannot name
 * the folder (imapflow then).
 */
export async function listChangesPipelined(reader: ImapReader, path: string, cursor: Cursor | undefined, pageSize = CHANGES_PAGE_SIZE, startedOver = false): Promise<ChangePage | null> {
  const stored = parseCursor(cursor);
  const from = stored?.uidNext ?? 1;
  const changedSince = stored?.highestModseq && from > 1 ? { before: from, modseq: stored.highestModseq } : undefined;
  const listed = reader.listing(path, from, pageSize, changedSince);
  if (listed === null) return null;
  const { view, changed, uids, page } = await listed;
  if (stored !== undefined && stored.uidValidity !== view.uidValidity) {
    // Another UIDVALIDITY: every stored UID is void, the listing starts over from 1 (once: a server that changes it on every look gets a clear error).
    if (startedOver) throw new AppError('CONNECTION_FAILED', `The IMAP server changed the UIDVALIDITY of "${path}" twice in a row. Try again later.`, { retryable: true });
    const again = await listChangesPipelined(reader, path, JSON.stringify({ uidValidity: view.uidValidity, uidNext: 1 }), pageSize, true);
    return again && { ...again, reset: true };
  }
  const looked = { uidValidity: view.uidValidity, uidNext: view.uidNext ?? 0, modseq: view.highestModseq ?? undefined, changed, uids, page };
  return changePage(looked, stored, from, pageSize, false);
}

/** UIDs ≥ from, ascending. `from:*` always matches the highest UID, even below `from`: filter it out. */
async function newUids(client: ImapFlow, from: number): Promise<number[]> {
  const found = await client.search({ uid: `${from}:*` }, { uid: true });
  if (found === false || found === undefined) throw new AppError('INTERNAL', 'The IMAP server did not answer a UID search. Try again.');
  return found.filter((uid) => uid >= from).sort((a, b) => a - b);
}
