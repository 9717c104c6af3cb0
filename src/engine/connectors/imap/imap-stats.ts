/** Counting an IMAP mailbox: STATUS MESSAGES per folder, and STATUS SIZE or the sum of RFC822.SIZE for bytes. */
import type { ImapFlow } from 'imapflow';
import type { MailboxStats } from '../types.js';
import { folderBytes, freshView, selectable } from './imap-folders.js';

export async function mailboxStats(client: ImapFlow): Promise<MailboxStats> {
  await freshView(client);
  const folders = selectable(await client.list({ statusQuery: { messages: true, size: true } }));
  let mail = 0;
  let bytes = 0;
  for (const folder of folders) {
    const count = folder.status?.messages ?? 0;
    mail += count;
    bytes += folder.status?.size ?? (count > 0 ? await folderBytes(client, folder.path) : 0);
  }
  return { folders: folders.length, mail, bytes, events: 0, contacts: 0 };
}
