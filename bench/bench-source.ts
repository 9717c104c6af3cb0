/**
 * The benchmark's source tenant: the SpamAssassin corpus spread over M mailboxes and four folders
 * (INBOX, a nested one, a non-ASCII one, Sent), with flags, keywords and distinct internal dates,
 * so that fidelity (bytes, flags, dates) is measured, not assumed.
 */
import { corpusMessages } from '../test/helpers/corpus.js';
import { withClient, type DovecotServer, type DovecotUser } from '../test/helpers/dovecot.js';

export const BENCH_FOLDERS = ['INBOX', 'Archive/2002/Q3', 'Projets/Été 2024', 'Sent'] as const;
const FLAG_SETS: string[][] = [[], ['\\Seen'], ['\\Seen', '\\Flagged'], ['\\Answered', '$Label1'], ['\\Seen', '$Work']];
const BASE_DATE = Date.UTC(2002, 0, 1, 8, 0, 0);

export function benchUsers(mailboxes: number): DovecotUser[] {
  return Array.from({ length: mailboxes }, (_, i) => ({ address: `user${String(i + 1).padStart(2, '0')}@bench.example`, password: `pw-${i + 1}-bench` }));
}

interface Placement { user: number; folder: string; flags: string[]; date: Date }

/** Message i goes to mailbox i mod M, folder by i div M; flags and dates cycle. Deterministic. */
export function placementOf(i: number, mailboxes: number): Placement {
  return {
    user: i % mailboxes,
    folder: BENCH_FOLDERS[Math.floor(i / mailboxes) % BENCH_FOLDERS.length] as string,
    flags: FLAG_SETS[i % FLAG_SETS.length] as string[],
    date: new Date(BASE_DATE + i * 3_600_000),
  };
}

/** APPENDs `messages` corpus messages (from `offset`) into the source, one connection per mailbox, in parallel. */
export async function loadSource(server: DovecotServer, users: DovecotUser[], messages: number, offset = 0): Promise<void> {
  const corpus = corpusMessages(messages, offset);
  await Promise.all(users.map((user, u) => withClient(server, user, async (client) => {
    for (const folder of BENCH_FOLDERS) {
      if (folder === 'INBOX') continue;
      await client.mailboxCreate(folder).catch((error: { serverResponseCode?: string }) => {
        if (error.serverResponseCode !== 'ALREADYEXISTS') throw error;
      });
    }
    for (let i = u; i < corpus.length; i += users.length) {
      const p = placementOf(i, users.length);
      await client.append(p.folder, corpus[i] as Buffer, p.flags, p.date);
    }
  })));
}
