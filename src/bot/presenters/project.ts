import type { PlatformInfo, ProjectInfo, Side } from '../../engine/index.js';
import type { ButtonView, ConnectionStateView, FactView, ProjectView } from '../../cards/views.js';
import { commandArg, formatBytes, formatCount, formatWhen } from './format.js';

const SIDES: Side[] = ['source', 'destination'];

export function platformLabel(platforms: PlatformInfo[], id: string): string {
  return platforms.find((p) => p.id === id)?.label ?? id;
}

function connectionStates(project: ProjectInfo, platforms: PlatformInfo[]): ConnectionStateView[] {
  return SIDES.map((side) => {
    const platform = side === 'source' ? project.sourcePlatform : project.destinationPlatform;
    const connection = project.connections.find((c) => c.side === side);
    const state: ConnectionStateView['state'] = !connection ? 'missing' : connection.status === 'valid' ? 'connected' : 'invalid';
    return {
      side,
      platform,
      platformLabel: platformLabel(platforms, platform),
      state,
      ...(connection ? { summary: connection.summary } : {}),
    };
  });
}

export function scanFacts(project: ProjectInfo): FactView[] {
  const scan = project.lastScan;
  if (!scan) return [];
  const facts: FactView[] = [{ label: 'Last scan', value: `${scan.status} · ${formatWhen(scan.finishedAt ?? scan.createdAt)}` }];
  if (scan.summary) {
    const { source, destination } = scan.summary;
    facts.push({ label: 'Source', value: `${formatCount(source.mailboxes)} mailboxes · ${formatCount(source.mail + source.events + source.contacts)} items · ${formatBytes(source.bytes)}` });
    facts.push({ label: 'Destination', value: `${formatCount(destination.mailboxes)} mailboxes · ${formatCount(destination.mail + destination.events + destination.contacts)} items · ${formatBytes(destination.bytes)}` });
  }
  return facts;
}

/** The next step in words, with the exact command to type. */
export function nextStep(project: ProjectInfo): string {
  const name = commandArg(project.name);
  const missing = SIDES.find((side) => project.connections.find((c) => c.side === side)?.status !== 'valid');
  switch (project.stage) {
    case 'needs_connections':
      return `Connect the ${missing ?? 'source'}: /migrate connect ${name} ${missing ?? 'source'}`;
    case 'ready_to_scan':
      return `Scan both sides (free, changes nothing): /migrate scan ${name}`;
    case 'scanning':
      return 'A scan is running; its card in this channel updates as it goes.';
    case 'ready_to_match':
      return `Review the suggested mapping: /migrate match ${name}`;
    case 'ready_to_launch':
      return `The mapping is reviewed. Launch the migration: /migrate launch ${name} (full; or delta, structure, retry).`;
    default:
      return `See the project status: /migrate status ${name}`;
  }
}

export function projectActions(project: ProjectInfo): ButtonView[] {
  const projectId = project.id;
  const actions: ButtonView[] = [];
  for (const side of SIDES) {
    const connected = project.connections.find((c) => c.side === side)?.status === 'valid';
    actions.push({
      label: `${connected ? 'Reconnect' : 'Connect'} ${side}`,
      verb: 'connect.open',
      data: { projectId, side },
      ...(connected ? {} : { style: 'primary' as const }),
    });
  }
  const bothConnected = SIDES.every((side) => project.connections.find((c) => c.side === side)?.status === 'valid');
  if (bothConnected && project.stage !== 'scanning') {
    actions.push({ label: project.lastScan ? 'Scan again' : 'Scan', verb: 'scan.start', data: { projectId }, ...(project.stage === 'ready_to_scan' ? { style: 'primary' as const } : {}) });
  }
  if (project.stage === 'ready_to_match' || project.stage === 'ready_to_launch') {
    actions.push({ label: 'Review mapping', verb: 'match.open', data: { projectId, filter: 'needs_review', page: 0 }, ...(project.stage === 'ready_to_match' ? { style: 'primary' as const } : {}) });
  }
  if (project.stage === 'ready_to_launch') actions.push({ label: 'Launch full run', verb: 'run.launch', data: { projectId, mode: 'full' }, style: 'primary' });
  return actions;
}

export function presentProject(project: ProjectInfo, platforms: PlatformInfo[], title?: string): ProjectView {
  return {
    kind: 'project',
    projectId: project.id,
    name: project.name,
    sourceLabel: platformLabel(platforms, project.sourcePlatform),
    destinationLabel: platformLabel(platforms, project.destinationPlatform),
    createdBy: project.createdBy,
    connections: connectionStates(project, platforms),
    facts: scanFacts(project),
    nextStep: nextStep(project),
    actions: projectActions(project),
    ...(title ? { title } : {}),
  };
}
