/**
 * What a full run costs (DESIGN §5): one credit per covered source mailbox without a valid license,
 * resources free, an archive its own license, public folders once per project. Pure functions over
 * rows, so the rules are unit-tested without a database.
 */
import type { CreditLine, CreditPolicy } from '../api.js';
import type { MailboxKind } from '../connectors/types.js';

export interface CoveredSource {
  mailboxId: string;
  externalId: string;
  address: string;
  kind: string;
}

/** The immutable identity a license is keyed on: the source's external id; an archive and a project's public folders are their own. */
export function identityOf(source: Pick<CoveredSource, 'externalId' | 'kind'>, projectId: string): string {
  if (source.kind === 'public_folders') return `public_folders:${projectId}`;
  if (source.kind === 'archive' && !source.externalId.startsWith('archive:')) return `archive:${source.externalId}`;
  return source.externalId;
}

const isResource = (kind: string) => kind === 'room' || kind === 'equipment';
const day = (d: Date) => d.toISOString().slice(0, 10);

/** Credits one source costs now, and why (validUntil: its license's expiry when it has a valid one). */
export function costOf(source: Pick<CoveredSource, 'kind'>, policy: CreditPolicy, validUntil: Date | undefined): { credits: number; reason: string } {
  if (isResource(source.kind) && policy.resourceFree) return { credits: 0, reason: 'resource mailbox: free' };
  if (validUntil) return { credits: 0, reason: `licensed until ${day(validUntil)}` };
  if (source.kind === 'public_folders') return { credits: policy.publicFoldersCost, reason: `public folders: ${policy.publicFoldersCost} once per project` };
  if (source.kind === 'archive') return { credits: policy.perMailbox, reason: 'archive: its own license' };
  return { credits: policy.perMailbox, reason: 'unlicensed' };
}

/**
 * The lines of a full run's need. `licensed` maps identity → expiry of the valid licenses. An
 * identity is charged once even when several covered mailboxes share it (public folders).
 */
export function needLines(sources: CoveredSource[], projectId: string, policy: CreditPolicy, licensed: Map<string, Date>): CreditLine[] {
  const charged = new Set<string>();
  return sources.map((s) => {
    const identity = identityOf(s, projectId);
    let { credits, reason } = costOf(s, policy, licensed.get(identity));
    if (credits > 0 && charged.has(identity)) ({ credits, reason } = { credits: 0, reason: 'public folders: already counted in this run' });
    if (credits > 0) charged.add(identity);
    return { sourceAddress: s.address, kind: s.kind as MailboxKind, credits, reason };
  });
}

/** A license consumed now lasts this long. */
export function licenseExpiry(from: Date, months: number): Date {
  const d = new Date(from);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}
