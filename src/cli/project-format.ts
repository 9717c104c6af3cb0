import type { MappingInfo, MatchReview, ProjectInfo, RunDetail, VerificationInfo } from '../engine/index.js';
import { describeProgress } from './run-waiter.js';

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), ...cells.map(line)].join('\n');
}

const seconds = (from: string, to: string | null) => (to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : null);

export function formatRun(run: RunDetail): string {
  const took = seconds(run.createdAt, run.finishedAt);
  const lines = [`${describeProgress(run)}${took === null ? '' : ` in ${took.toFixed(1)} s`} (run ${run.id}, started by ${run.startedByName ?? run.startedBy})`];
  if (run.error) lines.push(`  error: ${run.error}`);
  if (run.summary) {
    const s = run.summary;
    lines.push(`  source      ${s.source.mailboxes} mailboxes, ${s.source.folders} folders, ${s.source.mail} mail, ${s.source.events} events, ${s.source.contacts} contacts`);
    lines.push(`  destination ${s.destination.mailboxes} mailboxes, ${s.destination.mail} mail`);
  }
  const troubled = run.mailboxRuns.filter((m) => m.status === 'failed' || m.error || (m.health !== 'healthy' && m.status === 'running')).slice(0, 10);
  for (const m of troubled) {
    const health = m.health && m.health !== 'healthy' && m.health !== m.status ? `, ${m.health.replace(/_/g, ' ')}` : '';
    const why = m.error ?? m.healthReason;
    const items = m.itemsTotal > 0 ? ` (${m.itemsDone}/${m.itemsTotal} items${m.itemsFailed ? `, ${m.itemsFailed} failed` : ''})` : '';
    lines.push(`  ${m.mailbox.address}: ${m.status}${health}${why ? ` — ${why}` : ''}${items}`);
  }
  return lines.join('\n');
}

export function formatVerification(v: VerificationInfo): string {
  const lines = [`Verification: ${v.consistencyPercent.toFixed(v.consistencyPercent === 100 ? 0 : 2)} % consistent, ${v.missingTotal} missing, ${v.failedItems} failed items (run ${v.runId})`];
  const shown = v.mailboxes.filter((m) => m.missing > 0).slice(0, 20);
  for (const m of shown) {
    lines.push(`  ${m.sourceAddress} → ${m.destinationAddress ?? '?'}: ${m.missing} missing`);
    for (const f of m.folders.filter((x) => x.missing > 0)) lines.push(`    ${f.path}: source ${f.source}, destination ${f.destination}, ledger ${f.ledger}`);
  }
  return lines.join('\n');
}

export function formatMatch(review: MatchReview, rows: MappingInfo[]): string {
  const c = review.counts;
  const head = `${review.project.name}: ${c.total} source mailboxes — ${c.matched} matched, ${c.needs_review} need review, ${c.create_missing} to create, ${c.excluded} excluded`;
  const body = table(rows.map((r) => ({ source: r.source.address, destination: r.destinationAddress ?? '', status: r.status, reason: r.reason })), ['source', 'destination', 'status', 'reason']);
  return `${head}\n${body}`;
}

export function formatProject(project: ProjectInfo): string {
  return [
    `${project.name} (${project.id}) in org ${project.orgId}: ${project.sourcePlatform} → ${project.destinationPlatform}, stage ${project.stage.replace(/_/g, ' ')}`,
    ...project.connections.map((c) => `  ${c.side.padEnd(11)} ${c.summary} (${c.status})`),
  ].join('\n');
}
