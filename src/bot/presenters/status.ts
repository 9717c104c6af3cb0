import type { PlatformInfo, ProjectInfo, RunInfo } from '../../engine/index.js';
import type { FactView, StatusView } from '../../cards/views.js';
import { formatBytes, formatCount, formatWhen, plural } from './format.js';
import { nextStep, platformLabel, projectActions } from './project.js';
import { stageLabels } from './project-list.js';

function runText(run: RunInfo): string {
  if (run.error) return run.error;
  const p = run.progress;
  if (run.summary) {
    const s = run.summary;
    return `${plural(s.source.mailboxes, 'source mailbox', 'source mailboxes')} (${formatBytes(s.source.bytes)}), ${plural(s.destination.mailboxes, 'destination mailbox', 'destination mailboxes')}`;
  }
  if (typeof p.mailboxesTotal === 'number') return `${formatCount((p.mailboxesDone ?? 0) + (p.mailboxesFailed ?? 0))} of ${plural(p.mailboxesTotal, 'mailbox', 'mailboxes')}`;
  return '';
}

export function presentStatus(project: ProjectInfo, platforms: PlatformInfo[], runs: RunInfo[]): StatusView {
  const facts: FactView[] = [
    { label: 'Route', value: `${platformLabel(platforms, project.sourcePlatform)} → ${platformLabel(platforms, project.destinationPlatform)}` },
  ];
  for (const side of ['source', 'destination'] as const) {
    const c = project.connections.find((x) => x.side === side);
    const label = side === 'source' ? 'Source' : 'Destination';
    facts.push({ label, value: c ? `${c.status === 'valid' ? 'connected' : 'invalid'} · ${c.summary}` : 'not connected' });
  }
  facts.push({ label: 'Next step', value: nextStep(project) });
  facts.push({ label: 'Created', value: `${formatWhen(project.createdAt)} by ${project.createdBy}` });
  return {
    kind: 'status',
    projectName: project.name,
    stage: stageLabels[project.stage] ?? project.stage,
    facts,
    latestRuns: runs.map((r) => ({ mode: r.mode, status: r.status, when: formatWhen(r.finishedAt ?? r.createdAt), text: runText(r) })),
    actions: projectActions(project),
  };
}
