import type { MatchReviewView, MatchRowView, ScanMailboxRowView, View, ViewKind } from './views.js';
import { mailboxLogFixture, mailboxStatusFixture, runFixture, verificationFixture } from './run-fixtures.js';
import { m365ConnectFixture } from './m365-fixtures.js';
import { approvalFixture, approvalsFixture, creditsFixture, shortfallFixture } from './credit-fixtures.js';

/**
 * Realistic views of every kind for renderer tests and previews, with fixed dates so snapshots
 * are stable. Some carry hostile text (`${evil}`, mrkdwn, emoji, non-ASCII) on purpose.
 */

const projectId = '6f1c2a9e-4b7d-4e3a-9a51-0c2d8e7f1a23';
const evil = 'Ops ${evil} <@U123> & *bold* — Zoë’s 📦';

function matchRow(i: number): MatchRowView {
  const statuses = ['matched', 'needs_review', 'create_missing', 'excluded'] as const;
  const status = statuses[i % 4] ?? 'matched';
  const local = i === 1 ? '${mailbox}' : i === 2 ? 'jürgen.müller' : `user${String(i).padStart(4, '0')}`;
  return {
    mappingId: `m-${String(i).padStart(6, '0')}-0000-4000-8000-000000000000`,
    sourceAddress: `${local}@old-corp.example`,
    sourceKindLabel: i % 7 === 0 ? 'shared' : 'user',
    destinationAddress: status === 'create_missing' ? null : `${local}@newco.example`,
    status,
    statusLabel: { matched: 'Matched', needs_review: 'Needs review', create_missing: 'Create missing', excluded: 'Excluded' }[status],
    confidencePercent: status === 'matched' ? 100 : 62,
    reason: status === 'needs_review' ? 'Two destinations share the local part' : status === 'matched' ? 'Same address' : 'No destination found',
    candidates: status === 'excluded' ? [] : Array.from({ length: 100 }, (_, c) => `candidate${c}.${local}@newco.example`),
  };
}

export function matchReviewFixture(total: number, rowsOnPage = 25): MatchReviewView {
  const rows = Array.from({ length: Math.min(rowsOnPage, total) }, (_, i) => matchRow(i));
  return {
    kind: 'match_review',
    projectId,
    projectName: 'acme',
    filter: 'all',
    page: 1,
    pageCount: Math.ceil(total / 25),
    counts: { matched: Math.floor(total * 0.8), needs_review: Math.floor(total * 0.12), excluded: Math.floor(total * 0.03), create_missing: total - Math.floor(total * 0.8) - Math.floor(total * 0.12) - Math.floor(total * 0.03), total },
    rows,
    more: Math.max(0, total - 25 * 2),
    actions: [
      { label: 'Export CSV', verb: 'match.export', data: { projectId } },
      { label: 'Import CSV', verb: 'match.import_open', data: { projectId } },
    ],
    notice: 'jürgen.müller@old-corp.example excluded by Alex Ünal',
  };
}

function scanRow(i: number): ScanMailboxRowView {
  const states = ['done', 'scanning', 'pending', 'failed'] as const;
  const state = states[i % 4] ?? 'done';
  return {
    side: i % 3 === 0 ? 'destination' : 'source',
    address: i === 5 ? '${x}@old-corp.example' : `mailbox${i}@old-corp.example`,
    kindLabel: 'user',
    state,
    text: state === 'failed' ? 'Login failed: the password was rejected' : `${(1234 + i).toLocaleString('en-US')} items · 45.2 MB · 12 folders`,
  };
}

export function scanFixture(rowCount: number): View {
  return {
    kind: 'scan',
    projectName: 'acme',
    runId: 'run-2f9d',
    status: 'running',
    percent: 52,
    progressText: `${Math.round(rowCount * 0.52)} of ${rowCount} mailboxes scanned`,
    facts: [
      { label: 'Source', value: '1,204 mailboxes · 3.1 TB' },
      { label: 'Destination', value: '1,190 mailboxes · 12 GB' },
      { label: 'Largest mailbox', value: 'ceo@old-corp.example · 48 GB' },
      { label: 'Predicted duration', value: 'about 3 days 4 hours' },
    ],
    rows: Array.from({ length: rowCount }, (_, i) => scanRow(i)),
    more: 0,
    startedBy: 'Megan Bowen',
    actions: [{ label: 'Review matches', verb: 'match.open', data: { projectId, filter: 'needs_review', page: 0 } }],
    updatedAt: '2026-11-24T04:25:00.000Z',
  };
}

export const viewFixtures: Record<ViewKind, View> = {
  m365_connect: m365ConnectFixture,
  help: {
    kind: 'help',
    problem: 'Unknown command “sacn”.',
    commands: [
      { usage: 'help', description: 'Show this list.' },
      { usage: 'new', description: 'Create a migration project.' },
      { usage: 'projects', description: 'List projects.' },
      { usage: 'connect <project>', description: 'Give the credentials of the source or destination.' },
      { usage: 'scan <project>', description: 'Count mailboxes, items and sizes on both sides. Free.' },
      { usage: 'match <project>', description: 'Review which source mailbox goes where.' },
      { usage: 'status <project>', description: 'Where a project stands.' },
      { usage: 'roles', description: 'Who may do what.' },
    ],
  },
  error: {
    kind: 'error',
    title: 'Could not reach the IMAP server',
    message: `imap.${evil}.example did not answer on port 993. Check the host name and that the server accepts connections, then try again.`,
    code: 'CONNECTOR_UNREACHABLE',
    details: Array.from({ length: 45 }, (_, i) => `mailbox${i}@old-corp.example: connection timed out`),
    actions: [{ label: 'Edit credentials', verb: 'connect.open', data: { projectId, side: 'source' }, style: 'primary' }],
  },
  refusal: { kind: 'refusal', action: 'scan a project', allowedRoles: ['owner', 'operator'], yourRoles: [] },
  notice: {
    kind: 'notice',
    tone: 'success',
    title: 'Project acme created',
    text: `Source and destination are not connected yet. ${evil}`,
    facts: [{ label: 'Route', value: 'IMAP → Microsoft 365' }],
    actions: [
      { label: 'Connect source', verb: 'connect.open', data: { projectId, side: 'source' }, style: 'primary' },
      { label: 'Connect destination', verb: 'connect.open', data: { projectId, side: 'destination' } },
    ],
  },
  form: {
    kind: 'form',
    title: 'Connect the source of acme',
    intro: 'IMAP cannot list accounts, so paste the mailboxes as CSV: address,password per line.',
    error: 'The server rejected the login for 1 mailbox.',
    fields: [
      { id: 'host', label: 'IMAP host', type: 'text', required: true, placeholder: 'imap.example.com', value: 'imap.old-corp.example' },
      { id: 'port', label: 'Port', type: 'number', required: true, value: '993' },
      { id: 'timeout', label: 'Timeout (seconds)', type: 'number' },
      { id: 'secure', label: 'Use TLS', type: 'toggle', value: 'true' },
      { id: 'masterPassword', label: 'Master password', type: 'password', hint: 'Stored encrypted; never shown again.' },
      { id: 'auth', label: 'Login method', type: 'select', required: true, value: 'plain', options: [{ value: 'plain', label: 'Per-mailbox passwords' }, { value: 'master', label: 'Master user' }] },
      { id: 'mailboxes', label: 'Mailboxes (CSV)', type: 'multiline', placeholder: 'alice@old-corp.example,secret', error: 'Line 3: “bob@” is not an address.', value: 'alice@old-corp.example,${pw}' },
    ],
    submit: { label: 'Save and test', verb: 'connect.save', data: { projectId, side: 'source' } },
  },
  project: {
    kind: 'project',
    projectId,
    name: 'acme',
    sourceLabel: 'IMAP',
    destinationLabel: 'Microsoft 365',
    createdBy: 'Zoë Ångström',
    connections: [
      { side: 'source', platform: 'imap', platformLabel: 'IMAP', state: 'connected', summary: 'imap.old-corp.example · 1,204 mailboxes' },
      { side: 'destination', platform: 'm365', platformLabel: 'Microsoft 365', state: 'missing' },
    ],
    facts: [],
    nextStep: 'Connect the destination: connect acme',
    actions: [{ label: 'Connect destination', verb: 'connect.open', data: { projectId, side: 'destination' }, style: 'primary' }],
  },
  project_list: {
    kind: 'project_list',
    projects: Array.from({ length: 35 }, (_, i) => ({ name: i === 0 ? evil : `project-${i}`, route: 'IMAP → Microsoft 365', stage: i % 2 ? 'scanned' : 'created', createdAt: '2026-11-20T09:15:00.000Z' })),
    more: 12,
  },
  connect_result: {
    kind: 'connect_result',
    projectName: 'acme',
    side: 'source',
    ok: false,
    summary: '2 of 3 mailboxes logged in.',
    problems: ['bob@old-corp.example: authentication failed — check the password'],
    actions: [{ label: 'Try again', verb: 'connect.open', data: { projectId, side: 'source' }, style: 'primary' }],
  },
  scan: scanFixture(12),
  match_review: matchReviewFixture(60),
  roles: {
    kind: 'roles',
    entries: [
      { user: 'Zoë Ångström', role: 'owner', grantedBy: 'installer' },
      { user: '${user}', role: 'operator', grantedBy: 'Zoë Ångström' },
    ],
    usage: 'roles grant @user owner|operator|viewer · roles revoke @user',
    notice: 'Granted operator to Sam.',
  },
  status: {
    kind: 'status',
    projectName: 'acme',
    stage: 'scanned',
    facts: [{ label: 'Mailboxes', value: '1,204 → 1,190' }, { label: 'Needs review', value: '14' }],
    latestRuns: [
      { mode: 'scan', status: 'completed', when: '2026-11-24T03:00:00.000Z', text: '1,204 mailboxes · 3.1 TB' },
      { mode: 'scan', status: 'failed', when: '2026-11-23T22:10:00.000Z', text: 'Destination credentials expired' },
    ],
    actions: [{ label: 'Review matches', verb: 'match.open', data: { projectId, filter: 'needs_review', page: 0 } }],
  },
  run: runFixture('running'),
  mailbox_status: mailboxStatusFixture,
  mailbox_log: mailboxLogFixture(),
  verification: verificationFixture(),
  approval: approvalFixture(),
  shortfall: shortfallFixture(),
  credits: creditsFixture(),
  approvals: approvalsFixture(),
};
