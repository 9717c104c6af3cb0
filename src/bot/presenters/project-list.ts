import type { PlatformInfo, ProjectInfo } from '../../engine/index.js';
import type { ProjectListView } from '../../cards/views.js';
import { formatWhen } from './format.js';
import { platformLabel } from './project.js';

export const PROJECT_LIST_LIMIT = 25;

export const stageLabels: Record<ProjectInfo['stage'], string> = {
  needs_connections: 'Needs connections',
  ready_to_scan: 'Ready to scan',
  scanning: 'Scanning',
  ready_to_match: 'Ready to match',
  ready_to_launch: 'Ready to launch',
};

/** Newest first; the card shows at most PROJECT_LIST_LIMIT and counts the rest. */
export function presentProjectList(projects: ProjectInfo[], platforms: PlatformInfo[]): ProjectListView {
  const sorted = [...projects].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return {
    kind: 'project_list',
    projects: sorted.slice(0, PROJECT_LIST_LIMIT).map((p) => ({
      name: p.name,
      route: `${platformLabel(platforms, p.sourcePlatform)} → ${platformLabel(platforms, p.destinationPlatform)}`,
      stage: stageLabels[p.stage] ?? p.stage,
      createdAt: formatWhen(p.createdAt),
    })),
    more: Math.max(0, sorted.length - PROJECT_LIST_LIMIT),
  };
}
