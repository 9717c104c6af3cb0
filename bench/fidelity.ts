/**
 * Compares a destination with the source through the independent checker (readMailbox of
 * test/helpers/dovecot.ts): every message once, with identical bytes, flags and internal date.
 */
import { readMailbox, type CheckedFolder, type CheckedMessage, type DovecotServer, type DovecotUser } from '../test/helpers/dovecot.js';

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

export function compare(source: Snapshot, destination: Snapshot): Fidelity {
  const f: Fidelity = { expected: 0, found: 0, missing: 0, duplicated: 0, altered: 0, alteredBytes: 0, alteredFlags: 0, alteredDate: 0, examples: [] };
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
          if ((bytes || flags || date) && f.examples.length < 3) {
            f.examples.push(`${address} ${path} ${key}: ${bytes ? `${a.size} → ${b.size} bytes ` : ''}${flags ? `flags [${a.flags.join(' ')}] → [${b.flags.join(' ')}] ` : ''}${date ? `date ${a.internalDate.toISOString()} → ${b.internalDate.toISOString()}` : ''}`.trim());
          }
        }
      }
    }
  }
  return f;
}

export function perfect(f: Fidelity): boolean {
  return f.missing === 0 && f.duplicated === 0 && f.altered === 0 && f.found === f.expected;
}

export function describeFidelity(f: Fidelity): string {
  if (perfect(f)) return `perfect (${f.found}/${f.expected})`;
  const altered = f.altered ? ` (bytes ${f.alteredBytes}, flags ${f.alteredFlags}, internal date ${f.alteredDate})` : '';
  return `${f.found}/${f.expected} found · missing ${f.missing} · duplicated ${f.duplicated} · altered ${f.altered}${altered}`;
}
