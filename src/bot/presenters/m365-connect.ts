import type { ProjectInfo, Side } from '../../engine/index.js';
import type { M365ConnectView } from '../../cards/views.js';

export type ConsentOffer = { url: string; permissions: { name: string; why: string }[] } | { problem: string; permissions: { name: string; why: string }[] };

/** The Microsoft 365 connect card: guided consent when the server offers it, the manual form either way. */
export function presentM365Connect(project: ProjectInfo, side: Side, offer: ConsentOffer): M365ConnectView {
  return {
    kind: 'm365_connect',
    projectName: project.name,
    side,
    ...('url' in offer ? { consentUrl: offer.url } : { consentProblem: offer.problem }),
    permissions: offer.permissions,
    actions: [{ label: 'Enter tenant credentials', verb: 'connect.open', data: { projectId: project.id, side, manual: true }, ...('url' in offer ? {} : { style: 'primary' as const }) }],
  };
}
