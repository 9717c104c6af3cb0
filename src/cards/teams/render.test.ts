import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAction, isVerb } from '../verbs.js';
import type { View } from '../views.js';
import { matchReviewFixture, scanFixture, viewFixtures } from '../view-fixtures.js';
import { mailboxLogFixture, runFixture, verificationFixture } from '../run-fixtures.js';
import { approvalFixture, approvalsFixture, shortfallFixture } from '../credit-fixtures.js';
import { overrideInputId } from '../match-actions.js';
import { renderTeamsCard, renderTeamsCardChecked, teamsCardBudgetBytes, teamsCardBytes } from './render.js';

type Json = Record<string, unknown>;
let AC: typeof import('adaptivecards');

beforeAll(async () => {
  // The official renderer needs DOM globals even to parse.
  const dom = new JSDOM('<!doctype html><html><body></body></html>');
  const g = globalThis as Record<string, unknown>;
  for (const key of ['window', 'document', 'navigator', 'HTMLElement', 'Node', 'Element']) {
    if (!(key in g)) Object.defineProperty(g, key, { value: (dom.window as unknown as Json)[key], configurable: true, writable: true });
  }
  AC = await import('adaptivecards');
});

function walk(node: unknown, visit: (o: Json) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Json);
    Object.values(node).forEach((v) => walk(v, visit));
  }
}

/** Every string in the view holding `${`: the only places a `${` may legitimately appear. */
function userStringsWithBinding(view: View): string[] {
  const found: string[] = [];
  walk(view, (o) => Object.values(o).forEach((v) => typeof v === 'string' && v.includes('${') && found.push(v)));
  return found;
}

function unresolvedBindings(card: Json, view: View): string[] {
  let text = JSON.stringify(card);
  for (const s of userStringsWithBinding(view)) text = text.replaceAll(JSON.stringify(s).slice(1, -1), '');
  return text.match(/\$\{[^}]*\}/g) ?? [];
}

function parseProblems(card: Json): string[] {
  const parsed = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(new AC.Version(1, 5));
  parsed.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(`parse: ${ctx.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  return problems;
}

/** What Teams would send for each button: its data merged with a value for every input. */
interface Click { verb: string; own: Json; data: Json; submit: Json | undefined; refresh: boolean }
function clicks(card: Json): Click[] {
  const inputs: Json = {};
  walk(card, (o) => {
    if (typeof o.type === 'string' && o.type.startsWith('Input.') && typeof o.id === 'string') {
      const choices = o.choices as { value: string }[] | undefined;
      inputs[o.id] = o.type === 'Input.Number' ? '5' : o.type === 'Input.Toggle' ? 'true' : (choices?.[0]?.value ?? 'typed text');
    }
  });
  const found: Click[] = [];
  const refreshAction = (card.refresh as Json | undefined)?.action;
  walk(card, (o) => {
    if (o.type === 'Action.Execute') {
      const fallback = o.fallback as Json | undefined;
      found.push({ verb: String(o.verb), own: o.data as Json, data: { ...inputs, ...(o.data as Json) }, submit: fallback && { ...inputs, ...(fallback.data as Json) }, refresh: o === refreshAction });
    }
  });
  return found;
}

const cases: [string, View][] = [
  ...Object.entries(viewFixtures),
  ['match_review 5,000 mailboxes', matchReviewFixture(5000)],
  ['match_review with an oversized page', matchReviewFixture(5000, 200)],
  ['scan 1,000 rows', scanFixture(1000)],
  ['run completed with verification', runFixture('completed')],
  ['run cancelled', runFixture('cancelled')],
  ['verification of 1,000 mailboxes', verificationFixture(1000)],
  ['mailbox_log with 50 entries', mailboxLogFixture(50)],
  ['mailbox_log empty', { ...mailboxLogFixture(0), page: 0, pageCount: 0, total: 0, actions: [] }],
  ['approval, last page of 1,000', approvalFixture({ page: 99 })],
  ['approval approved', approvalFixture({ decided: 'approved' })],
  ['approval rejected, 3 mailboxes', approvalFixture({ total: 3, decided: 'rejected' })],
  ['approval read-only (Teams base card)', approvalFixture({ buttons: false })],
  ['approvals, 45 waiting', approvalsFixture(45)],
  ['approvals, none', approvalsFixture(0)],
  ['shortfall, 2 mailboxes', shortfallFixture(2)],
];

describe.each(cases)('Teams card: %s', (_name, view) => {
  const card = renderTeamsCard(view);

  it('is an Adaptive Card 1.5 with no unresolved bindings, within 40 KB', () => {
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.5', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
    expect(unresolvedBindings(card, view)).toEqual([]);
    expect(renderTeamsCardChecked(view).warnings).toEqual([]);
    expect(teamsCardBytes(card)).toBeLessThanOrEqual(teamsCardBudgetBytes);
  });

  it('parses in the adaptivecards renderer without warnings', () => {
    expect(parseProblems(card)).toEqual([]);
  });

  it('has only known verbs whose data parses, with an Action.Submit fallback carrying the verb', () => {
    for (const click of clicks(card)) {
      expect(isVerb(click.verb), click.verb).toBe(true);
      expect(parseAction(click.verb, click.data)).toMatchObject({ ok: true });
      // Only match rows may lose their fallback, and only to fit the budget (see render.ts).
      if (click.submit === undefined && view.kind === 'match_review' && 'mappingId' in click.own) continue;
      // A refresh is sent by clients that run Universal Actions; older ones never refresh.
      if (click.refresh) continue;
      expect(click.submit).toMatchObject({ verb: click.verb });
      expect(parseAction(click.submit?.verb, click.submit)).toMatchObject({ ok: true });
    }
  });
});

describe('Teams card snapshots', () => {
  it.each(Object.entries(viewFixtures))('%s', (_kind, view) => {
    expect(renderTeamsCard(view)).toMatchSnapshot();
  });
});

describe('Teams card behaviour', () => {
  it('the parse check catches a broken card', () => {
    expect(parseProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text' }, { type: 'NoSuchThing' }] })).not.toEqual([]);
  });

  it('shows hostile text literally but inert, and keeps submitted values byte-exact', () => {
    const text = JSON.stringify(renderTeamsCard(viewFixtures.notice));
    expect(text).toContain('Ops $\u200B{evil} <@U123> & *bold* — Zoë’s 📦');
    const form = JSON.stringify(renderTeamsCard(viewFixtures.form));
    expect(form).toContain('"value":"alice@old-corp.example,${pw}"');
  });

  it('renders form inputs by type, never pre-fills a password, and shows field errors in red', () => {
    const inputs: Json[] = [];
    const card = renderTeamsCard(viewFixtures.form);
    walk(card, (o) => typeof o.type === 'string' && o.type.startsWith('Input.') && inputs.push(o));
    const byId = Object.fromEntries(inputs.map((i) => [i.id, i]));
    expect(byId.host).toMatchObject({ type: 'Input.Text', isRequired: true, errorMessage: 'IMAP host is required.', value: 'imap.old-corp.example' });
    expect(byId.port).toMatchObject({ type: 'Input.Number', value: 993 });
    expect(byId.timeout).not.toHaveProperty('value');
    expect(byId.secure).toMatchObject({ type: 'Input.Toggle', valueOn: 'true', valueOff: 'false', value: 'true' });
    expect(byId.masterPassword).toMatchObject({ type: 'Input.Text', style: 'Password' });
    expect(byId.masterPassword).not.toHaveProperty('value');
    expect(byId.auth).toMatchObject({ type: 'Input.ChoiceSet', style: 'compact', value: 'plain' });
    expect(byId.mailboxes).toMatchObject({ isMultiline: true });
    const errors: Json[] = [];
    walk(card, (o) => o.color === 'Attention' && errors.push(o));
    expect(errors.map((e) => e.text)).toContain('Line 3: “bob@” is not an address.');
  });

  it('gives each match row its own override input and row actions', () => {
    const view = matchReviewFixture(5000);
    const card = renderTeamsCard(view);
    const text = JSON.stringify(card);
    const needsReview = view.rows[1]!;
    expect(text).toContain(`"id":"${overrideInputId(needsReview.mappingId)}"`);
    const verbs = clicks(card).filter((c) => c.data.mappingId === needsReview.mappingId).map((c) => c.verb);
    expect(verbs).toEqual(['mapping.override', 'mapping.create_missing', 'mapping.exclude']);
    const excluded = view.rows[3]!;
    expect(clicks(card).filter((c) => c.data.mappingId === excluded.mappingId).map((c) => c.verb)).toEqual(['mapping.include']);
    expect(text).toContain('…and 4,950 more mailboxes');
    expect(text).toContain('Page 2 of 200');
    const nav = clicks(card).filter((c) => c.verb === 'match.open').map((c) => c.own);
    expect(nav).toEqual([
      { projectId: view.projectId, filter: 'all', page: 0 },
      { projectId: view.projectId, filter: 'all', page: 2 },
      { projectId: view.projectId, filter: 'needs_review', page: 0 },
    ]);
    expect(clicks(card).map((c) => c.verb)).toEqual(expect.arrayContaining(['match.export', 'match.import_open']));
  });

  it('cuts a 1,000-row scan to fit and says how many are left out', () => {
    const text = JSON.stringify(renderTeamsCard(scanFixture(1000)));
    const shown = (text.match(/mailbox\d+@old-corp\.example/g) ?? []).length;
    expect(shown).toBeGreaterThan(5);
    expect(text).toContain(`…and ${(1000 - shown - 1).toLocaleString('en-US')} more mailboxes`);
    expect(text).toContain('▓▓▓▓▓░░░░░ 52 %');
    expect(text).toContain('Started by Megan Bowen · updated 2026-11-24 04:25 UTC');
  });
});

describe('Teams copy-run cards', () => {
  it('a running card shows health markers with reasons and only a Cancel button', () => {
    const card = renderTeamsCard(runFixture('running'));
    const json = JSON.stringify(card);
    expect(json).toContain('🐢');
    expect(json).toContain('Throttled by destination — retrying in 30 s');
    expect(json).toContain('…and 35 more mailboxes');
    expect(json).toContain('Started by Zoë Ångström');
    expect(clicks(card).map((c) => [c.verb, c.own])).toEqual([['run.cancel', { projectId: '6f1c2a9e-4b7d-4e3a-9a51-0c2d8e7f1a23' }]]);
  });

  it('a finished card carries the verification score and Retry failed (mode retry)', () => {
    const card = renderTeamsCard(runFixture('completed'));
    expect(JSON.stringify(card)).toContain('Verification: 99.8 % consistent — 37 items missing in 2 mailboxes.');
    const [retry] = clicks(card);
    expect(retry).toMatchObject({ verb: 'run.launch', own: { mode: 'retry' } });
    expect(parseAction(retry!.verb, retry!.data)).toMatchObject({ ok: true, action: { payload: { mode: 'retry' } } });
  });

  it('cuts a 1,000-mailbox verification to fit 40 KB, missing folders first, and counts the rest', () => {
    const view = verificationFixture(1000);
    const json = JSON.stringify(renderTeamsCard(view));
    const shown = (json.match(/user\d+@old-corp\.example · /g) ?? []).length;
    expect(shown).toBeGreaterThan(5);
    expect(json.indexOf('user1@old-corp.example · INBOX')).toBeGreaterThan(0);
    expect(json).toContain(`…and ${(3000 - shown).toLocaleString('en-US')} more folders`);
    expect(json).toContain('37 missing');
  });

  it('pages the mailbox log with Previous and Next', () => {
    const card = renderTeamsCard(mailboxLogFixture());
    expect(JSON.stringify(card)).toContain('page 2 of 4 · 90 events');
    expect(clicks(card).map((c) => c.own.page)).toEqual([0, 2]);
  });
});
