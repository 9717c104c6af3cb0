/**
 * Compares a destination with the source through the independent checker (readMailbox of
 * test/helpers/dovecot.ts): every message once, with identical bytes, flags and internal date.
 *
 * A message whose bytes alone differ is put to a control: a plain imapflow client fetches the source
 * bytes and APPENDs them, unchanged, to a scratch folder of the same destination. When the server
 * stores exactly what the tool's copy holds, the server rewrote them (Dovecot turns the `\r\r\n` of
 * corpus #4732 into `\r\n` on every APPEND, whoever sends it): counted as `serverRewritten`, not as
 * the tool's alteration.
 */
import { createHash } from 'node:crypto';
import { readMailbox, withClient, type CheckedFolder, type CheckedMessage, type DovecotServer, type DovecotUser } from '../test/helpers/dovecot.js';

export interface Fidelity {
  expected: number;
  found: number;
  missing: number;
  duplicated: number;
  /** Same message (by Message-ID, else bytes) but different bytes, flags or internal date. */
  altered: number;
  alteredBytes: number;
  alteredFlags: number;
  alteredDate: number;
  /** Of the altered: bytes only, and the server stores the source bytes exactly so for a plain APPEND too (see above). */
  serverRewritten: number;
  /** A few altered messages, to say what changed. */
  examples: string[];
}

export type Snapshot = Map<string, CheckedFolder[]>;

export async function snapshot(server: Pick<DovecotServer, 'host' | 'port'>, users: DovecotUser[]): Promise<Snapshot> {
  const result: Snapshot = new Map();
  for (const user of users) result.set(user.address, await readMailbox(server, user));
  return result;
}

const keyOf = (m: CheckedMessage) => m.messageId ?? `sha:${m.sha256}`;

function group(messages: CheckedMessage[]): Map<string, CheckedMessage[]> {
  const map = new Map<string, CheckedMessage[]>();
  for (const m of messages) map.set(keyOf(m), [...(map.get(keyOf(m)) ?? []), m]);
  for (const list of map.values()) list.sort((a, b) => a.sha256.localeCompare(b.sha256));
  return map;
}

/** Byte-only alterations put to the control, at most (a tool that alters every message is not helped by more). */
const MAX_CONTROLS = 20;
const CONTROL_FOLDER = 'mf-bench-control';

interface ByteOnly { user: DovecotUser; path: string; source: CheckedMessage; copy: CheckedMessage }

/** Whether the destination stores the source message's bytes, APPENDed unchanged by a plain client, as the tool's copy holds them. */
async function serverRewrites(servers: { source: DovecotServer; destination: DovecotServer }, c: ByteOnly): Promise<boolean> {
  const original = await withClient(servers.source, c.user, async (client) => {
    await client.mailboxOpen(c.path, { readOnly: true });
    const message = await client.fetchOne(String(c.source.uid), { source: true }, { uid: true });
    return message ? message.source ?? null : null;
  });
  if (!original) return false;
  return withClient(servers.destination, c.user, async (client) => {
    await client.mailboxCreate(CONTROL_FOLDER).catch(() => undefined);
    try {
      const appended = await client.append(CONTROL_FOLDER, original, [], c.source.internalDate);
      if (!appended || appended.uid === undefined) return false;
      await client.mailboxOpen(CONTROL_FOLDER, { readOnly: true });
      const message = await client.fetchOne(String(appended.uid), { source: true }, { uid: true });
      const stored = message ? message.source : undefined;
      return stored !== undefined && createHash('sha256').update(stored).digest('hex') === c.copy.sha256;
    } finally {
      await client.mailboxClose().catch(() => undefined);
      await client.mailboxDelete(CONTROL_FOLDER).catch(() => undefined);
    }
  });
}

/** Compares; with the servers and users, also puts byte-only alterations to the control (after the destination's snapshot was taken). */
export async function compare(source: Snapshot, destination: Snapshot, servers?: { source: DovecotServer; destination: DovecotServer; users: DovecotUser[] }): Promise<Fidelity> {
  const f: Fidelity = { expected: 0, found: 0, missing: 0, duplicated: 0, altered: 0, alteredBytes: 0, alteredFlags: 0, alteredDate: 0, serverRewritten: 0, examples: [] };
  const byteOnly: ByteOnly[] = [];
  for (const [address, srcFolders] of source) {
    const dstFolders = destination.get(address) ?? [];
    const paths = new Set([...srcFolders, ...dstFolders].map((x) => x.path));
    for (const path of paths) {
      const src = group(srcFolders.find((x) => x.path === path)?.messages ?? []);
      const dst = group(dstFolders.find((x) => x.path === path)?.messages ?? []);
      for (const key of new Set([...src.keys(), ...dst.keys()])) {
        const s = src.get(key) ?? [];
        const d = dst.get(key) ?? [];
        f.expected += s.length;
        f.found += d.length;
        f.missing += Math.max(0, s.length - d.length);
        f.duplicated += Math.max(0, d.length - s.length);
        for (let i = 0; i < Math.min(s.length, d.length); i++) {
          const a = s[i] as CheckedMessage;
          const b = d[i] as CheckedMessage;
          const bytes = a.sha256 !== b.sha256;
          const flags = a.flags.join(' ') !== b.flags.join(' ');
          const date = a.internalDate.getTime() !== b.internalDate.getTime();
          if (bytes) f.alteredBytes++;
          if (flags) f.alteredFlags++;
          if (date) f.alteredDate++;
          if (bytes || flags || date) f.altered++;
          const user = servers?.users.find((u) => u.address === address);
          if (bytes && !flags && !date && user) byteOnly.push({ user, path, source: a, copy: b });
          if ((bytes || flags || date) && f.examples.length < 3) {
            f.examples.push(`${address} ${path} ${key}: ${bytes ? `${a.size} → ${b.size} bytes ` : ''}${flags ? `flags [${a.flags.join(' ')}] → [${b.flags.join(' ')}] ` : ''}${date ? `date ${a.internalDate.toISOString()} → ${b.internalDate.toISOString()}` : ''}`.trim());
          }
        }
      }
    }
  }
  if (servers && byteOnly.length > 0 && byteOnly.length <= MAX_CONTROLS) {
    for (const c of byteOnly) if (await serverRewrites(servers, c)) f.serverRewritten++;
  }
  return f;
}

/** Every message once, as the source holds it, but for what the destination server itself rewrites on APPEND. */
export function perfect(f: Fidelity): boolean {
  return f.missing === 0 && f.duplicated === 0 && f.altered === f.serverRewritten && f.found === f.expected;
}

export function describeFidelity(f: Fidelity): string {
  const rewritten = f.serverRewritten ? `; ${f.serverRewritten} rewritten by the destination server itself (a plain APPEND of the source bytes is stored the same)` : '';
  if (perfect(f)) return `perfect (${f.found}/${f.expected}${rewritten})`;
  const altered = f.altered ? ` (bytes ${f.alteredBytes}, flags ${f.alteredFlags}, internal date ${f.alteredDate}${rewritten})` : '';
  return `${f.found}/${f.expected} found · missing ${f.missing} · duplicated ${f.duplicated} · altered ${f.altered}${altered}`;
}
