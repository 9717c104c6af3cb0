/**
 * The Microsoft 365 Agents Playground's users (.m365agentsplayground.yml). In local mode
 * (TEAMS_APP_ID unset) src/main.ts gives them roles so the demo can show approvals and refusals.
 */
export const PLAYGROUND_TENANT_ID = '00000000-0000-0000-0000-0000000000001';
export const PLAYGROUND_ORG_ID = `teams:${PLAYGROUND_TENANT_ID}`;

export const PLAYGROUND_USERS = [
  { aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber', role: 'admin' },
  { aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen', role: 'approver' },
  { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance', role: 'helpdesk' },
] as const;
