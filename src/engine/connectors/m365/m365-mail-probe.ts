/**
 * The mail probe (after a crash between write and ledger) and the stamp it trusts. Every message
 * mailferry writes carries the source hash in a named property; a message whose attachments follow
 * its create (POSTs, upload sessions) is created stamped "incomplete" and gets the real hash only once
 * its last attachment landed (m365-mail.ts). A process killed mid-upload leaves that stamp behind:
 * the probe never takes such a message for the copy, and removes it so that the rewrite leaves no
 * partial duplicate.
 */
import type { FolderInfo, Item, MailboxRef } from '../types.js';
import { HASH_PROPERTY, bucketOf, odataString, userPath, type M365Context } from './m365-context.js';
import { GraphHttpError } from './m365-errors.js';

/** Stamped instead of the hash while attachments are still being added (never a hash: those are hex). */
const INCOMPLETE = 'incomplete:';
/** Messages of one folder sharing a Message-ID looked at by the probe (duplicates are rare). */
const SAME_ID_TOP = 10;

export const incompleteStamp = (hash: string): string => `${INCOMPLETE}${hash}`;

interface ProbeHit { id: string; singleValueExtendedProperties?: { id: string; value: string }[] }

const hashIs = (value: string) => `singleValueExtendedProperties/Any(ep: ep/id eq ${odataString(HASH_PROPERTY)} and ep/value eq ${odataString(value)})`;
const withStamp = `&$expand=${encodeURIComponent(`singleValueExtendedProperties($filter=id eq ${odataString(HASH_PROPERTY)})`)}`;

/**
 * Finds a message written before: by the source hash of a completed write (exact, whatever the
 * Message-ID looks like), else by internetMessageId (a message that arrived another way: it carries
 * no stamp). A leftover of this item's interrupted write is deleted and not reported; one of another
 * write (another version of the message, maybe still in progress) is neither reported nor touched.
 * Two requests at most when nothing is found, one when the copy is complete.
 */
export async function probeMail(ctx: M365Context, mailbox: MailboxRef, folder: FolderInfo, item: Pick<Item, 'messageId' | 'hash'>, signal?: AbortSignal): Promise<string | null> {
  const where = { doing: `looking for a message in "${folder.path.join('/')}" of ${mailbox.address}`, permission: 'Mail.ReadWrite' as const };
  const list = (filter: string, extra: string) => ctx.client.json<{ value?: ProbeHit[] }>({
    url: `${userPath(mailbox)}/mailFolders/${encodeURIComponent(folder.key)}/messages?$filter=${encodeURIComponent(filter)}&$select=id${extra}`,
    mailbox: bucketOf(mailbox), site: where, signal,
  });
  const complete = await list(hashIs(item.hash), '&$top=1');
  if (complete.value?.[0]) return complete.value[0].id;
  // Without a Message-ID only the stamp finds a leftover; with one, the same request finds foreign copies too.
  const hits = await list(item.messageId ? `internetMessageId eq ${odataString(item.messageId)}` : hashIs(incompleteStamp(item.hash)), `&$top=${SAME_ID_TOP}${withStamp}`);
  let found: string | null = null;
  for (const hit of hits.value ?? []) {
    const stamp = hit.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === HASH_PROPERTY.toLowerCase())?.value;
    if (stamp === incompleteStamp(item.hash)) {
      await ctx.client.json({
        method: 'DELETE', url: `${userPath(mailbox)}/messages/${encodeURIComponent(hit.id)}`, mailbox: bucketOf(mailbox), patient: true, expect: [404],
        site: { ...where, doing: `removing a partly written message from "${folder.path.join('/')}" of ${mailbox.address}` }, signal,
      }).catch((error: unknown) => {
        // Already gone is what the probe wanted.
        if (!(error instanceof GraphHttpError && error.status === 404)) throw error;
      });
    } else if (!stamp?.startsWith(INCOMPLETE)) {
      found ??= hit.id;
    }
  }
  return found;
}
