import type { VerificationInfo } from '../../engine/index.js';
import type { ButtonView, VerificationView } from '../../cards/views.js';
import { plural } from './format.js';

/** Rows a verification card carries at most; the renderers cut further to fit their budgets. */
export const VERIFICATION_ROW_LIMIT = 200;

export function presentVerification(v: VerificationInfo, projectId: string): VerificationView {
  const all = v.mailboxes.flatMap((m) => m.folders.map((f) => ({ mailbox: m.sourceAddress, folder: f.path, source: f.source, destination: f.destination, ledger: f.ledger, missing: f.missing })));
  // Folders with something missing first: they are what the reader came for.
  const sorted = all.sort((a, b) => b.missing - a.missing || a.mailbox.localeCompare(b.mailbox) || a.folder.localeCompare(b.folder));
  const rows = sorted.slice(0, VERIFICATION_ROW_LIMIT);
  const short = v.mailboxes.filter((m) => m.missing > 0).length;
  const summary = v.missingTotal === 0
    ? `Every item of ${plural(v.mailboxes.length, 'mailbox', 'mailboxes')} is at the destination and in the ledger.`
    : `${plural(v.missingTotal, 'item')} missing in ${plural(short, 'mailbox', 'mailboxes')}${v.failedItems ? ` (${plural(v.failedItems, 'item')} failed to copy)` : ''}.`;
  const anythingMissing = v.missingTotal > 0 || v.failedItems > 0;
  const actions: ButtonView[] = anythingMissing ? [{ label: 'Retry failed', verb: 'run.launch', data: { projectId, mode: 'retry' }, style: 'primary' }] : [];
  return {
    kind: 'verification',
    projectName: v.projectName,
    runId: v.runId,
    consistencyPercent: v.consistencyPercent,
    summary,
    rows,
    more: sorted.length - rows.length,
    actions,
  };
}
