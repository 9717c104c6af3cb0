import type { M365ConnectView } from './views-m365.js';

/** The Microsoft 365 connect card as a project's admin sees it, for renderer tests and previews. */
export const m365ConnectFixture: M365ConnectView = {
  kind: 'm365_connect',
  projectName: 'contoso',
  side: 'source',
  consentUrl: 'https://login.microsoftonline.com/organizations/v2.0/adminconsent?client_id=6f1c2a4e-0000-4000-8000-000000000001&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&redirect_uri=https%3A%2F%2Fmailferry.example%2Fconsent%2Fm365%2Fcallback&state=eyJuIjoiYWJjIn0.c2ln',
  permissions: [
    { name: 'Mail.ReadWrite', why: 'read mail at the source and write it at the destination, with its folders, read state, flags and dates' },
    { name: 'Calendars.ReadWrite', why: 'copy calendars and events (written without attendees, so nobody is sent an invitation)' },
    { name: 'User.ReadWrite.All', why: 'list the tenant’s mailboxes, and create the users of destinations flagged “create missing”' },
  ],
  actions: [{ label: 'Enter tenant credentials', verb: 'connect.open', data: { projectId: 'prj_demo', side: 'source', manual: true } }],
};
