/**
 * `npm run bench:graph` — mailferry's Microsoft 365 → Microsoft 365 throughput against the Graph
 * simulator (test/simulators/graph) with its per-mailbox limits ON, as a share of what those limits allow.
 *
 *   tsx bench/graph-bench.ts [--scenarios 1,20] [--messages-one N] [--messages-each N]
 *                            [--requests R] [--window-ms W] [--store postgres|pglite] [--trace FILE]
 *
 * --trace FILE writes every mailbox request as the simulator saw it (ms, mailbox, method, path,
 * ok | concurrency | rate | upload) to FILE.<mailboxes>, to see where a run spends its budget.
 *
 * Two tenants live in one simulator: the source (contoso) holds SpamAssassin messages over three
 * folders per mailbox, the destination (fabrikam) the same mailbox names, empty. The engine runs the
 * CLI's steps in this process (project, scan, match, full run, mail only) with in-process workers.
 * The limits keep Microsoft's shape (4 in flight, a request window, an upload window of half its
 * length with the upload budget scaled by the same factor: 150 MB per 300 s) at a rate this machine
 * can saturate, so a run is limit-bound and short: default 15 requests per 5 s per app + mailbox
 * (Microsoft: 10,000 per 600 s, so ×0.18; 20 mailboxes × 2 sides at Microsoft's own rate would need
 * ~670 requests/s, more than one 2-core machine running engine, store and simulator serves). The
 * connector is told the same limits (EngineOptions.connectorEnv.graphLimits).
 *
 * Ceiling: each source mailbox and each destination mailbox has its own budget. Within a wall time T
 * a sliding window of W admits at most B = R·(⌊T/W⌋+1) requests; a copied message needs at least one
 * request on each side (source: GET …/$value, alone or inside $batch; destination: POST …/messages),
 * plus a few per mailbox that no copy can avoid (list the root folders and the parents, one delta page
 * per 1,000 messages of a folder, create each missing folder). So a mailbox pair moves at most
 * min(B − source minimum, B − destination minimum, upload budget ÷ bytes per message) messages in T.
 * Share = measured messages/s ÷ Σ pairs' ceiling ÷ T. Every other request (repeated lookups, probes,
 * requests refused with 429) is budget the client wasted; the report splits each side's budget into
 * messages / other / refused / unused so a shortfall can be traced.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine, type Actor, type Engine, type RunDetail } from '../src/engine/index.js';
import { corpusMessages, corpusSize } from '../test/helpers/corpus.js';
import { createDatabase } from '../test/helpers/store.js';
import { startGraphSimulator, type GraphLimits, type GraphSimulator, type GraphStats } from '../test/simulators/graph/index.js';

const SRC = { tenantId: '5a1e0000-0000-4000-8000-00000000000a', domain: 'contoso.example', clientId: 'bench-src', clientSecret: 'src-Secret-1' };
const DST = { tenantId: 'd5700000-0000-4000-8000-00000000000b', domain: 'fabrikam.example', clientId: 'bench-dst', clientSecret: 'dst-Secret-1' };
/** Microsoft: 10,000 requests per 600 s and 150 MB per 300 s per app + mailbox. */
const MS_REQUESTS_PER_MS = 10_000 / 600_000;
const MS_UPLOAD_BYTES_PER_MS = (150 * 1024 * 1024) / 300_000;
/** Where a mailbox's messages go: [folder path, share]. */
/** The folders every simulated mailbox starts with. */
const WELL_KNOWN = ['Inbox', 'Sent Items', 'Drafts', 'Deleted Items', 'Junk Email', 'Archive', 'Outbox'];
const LAYOUT: [string[], number][] = [[['Inbox'], 0.6], [['Inbox', 'Archive 2002'], 0.25], [['Sent Items'], 0.15]];

const actor: Actor = { orgId: 'bench', orgName: 'bench', userId: 'cli:bench', userName: 'cli:bench', platformAdmin: true };
const quiet = { info() {}, warn() {}, error() {} };
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Scenario { mailboxes: number; perMailbox: number }
interface SideTally { messages: number; other: number; refused: number }
const newTally = () => ({ source: { messages: 0, other: 0, refused: 0 } as SideTally, destination: { messages: 0, other: 0, refused: 0 } as SideTally, firstWrite: 0, lastWrite: 0 });
interface Outcome {
  scenario: Scenario; items: number; expected: number; seconds: number; rate: number; ceiling: number; share: number;
  stats: GraphStats; status: string; fidelity: string; formula: string; phases: string; budgetUse: string;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

function intFlag(argv: string[], name: string, fallback: number): number {
  const raw = flag(argv, name);
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
}

function scaledLimits(requests: number, windowMs: number): GraphLimits {
  const factor = requests / windowMs / MS_REQUESTS_PER_MS;
  const uploadWindowMs = windowMs / 2;
  return { concurrency: 4, requestsPerWindow: requests, windowMs, uploadWindowMs, uploadBytesPerWindow: Math.round(MS_UPLOAD_BYTES_PER_MS * factor * uploadWindowMs) };
}

const address = (i: number, domain: string) => `mb${String(i + 1).padStart(2, '0')}@${domain}`;

function seed(sim: GraphSimulator, scenario: Scenario): void {
  sim.addTenant({ tenantId: SRC.tenantId, domain: SRC.domain, displayName: 'Contoso (source)', apps: [{ clientId: SRC.clientId, clientSecret: SRC.clientSecret }] });
  sim.addTenant({ tenantId: DST.tenantId, domain: DST.domain, displayName: 'Fabrikam (destination)', apps: [{ clientId: DST.clientId, clientSecret: DST.clientSecret }] });
  let offset = 0;
  for (let i = 0; i < scenario.mailboxes; i++) {
    const user = sim.addUser(SRC.tenantId, { address: address(i, SRC.domain), displayName: `Mailbox ${i + 1}` }).id;
    sim.addUser(DST.tenantId, { address: address(i, DST.domain), displayName: `Mailbox ${i + 1}` });
    const messages = corpusMessages(scenario.perMailbox, offset % (corpusSize() - scenario.perMailbox));
    offset += scenario.perMailbox;
    let n = 0;
    for (const [folder, share] of LAYOUT) {
      const count = folder === LAYOUT.at(-1)![0] ? messages.length - n : Math.round(messages.length * share);
      for (const mime of messages.slice(n, n + count)) {
        sim.addMessage(SRC.tenantId, user, folder, { mime, isRead: n % 3 !== 0, flagged: n % 7 === 0, receivedDateTime: new Date(Date.UTC(2002, 7, 1) + n * 3_600_000).toISOString() });
        n++;
      }
    }
  }
}

async function waitFor(engine: Engine, runId: string): Promise<RunDetail> {
  for (;;) {
    const run = await engine.getRun(runId);
    if (['completed', 'failed', 'cancelled'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Destination vs source per mailbox: every internetMessageId once, read state kept, nothing a draft. */
function checkFidelity(sim: GraphSimulator, scenario: Scenario): { items: number; expected: number; text: string } {
  let items = 0;
  let expected = 0;
  const problems = { missing: 0, duplicated: 0, drafts: 0, readState: 0 };
  for (let i = 0; i < scenario.mailboxes; i++) {
    const src = sim.mailbox(SRC.tenantId, address(i, SRC.domain)).messages;
    const dst = sim.mailbox(DST.tenantId, address(i, DST.domain)).messages;
    items += dst.length;
    expected += src.length;
    // A message without Message-ID gets one from Exchange on creation: those are matched by subject.
    const sourceIds = new Set(src.map((m) => m.internetMessageId));
    const keyOf = (m: (typeof dst)[number], side: 'src' | 'dst') =>
      (side === 'src' ? m.internetMessageId : sourceIds.has(m.internetMessageId) ? m.internetMessageId : null) ?? `subject:${m.subject}`;
    const byId = new Map<string, typeof dst>();
    for (const m of dst) byId.set(keyOf(m, 'dst'), [...(byId.get(keyOf(m, 'dst')) ?? []), m]);
    for (const m of src) {
      const copies = byId.get(keyOf(m, 'src')) ?? [];
      if (copies.length === 0) problems.missing++;
      if (copies.length > 1) problems.duplicated++;
      if (copies[0] && copies[0].isRead !== m.isRead) problems.readState++;
    }
    problems.drafts += dst.filter((m) => m.isDraft).length;
  }
  const bad = Object.entries(problems).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
  return { items, expected, text: bad.length ? bad.join(', ') : 'every message once, read state kept, no drafts' };
}

/**
 * Requests a mailbox needs besides one per message, at the least: the source lists its root folders
 * (1), the children of each folder that has some, and one delta page per 1,000 messages of each
 * non-empty folder; the destination lists its root and the parents it walks, and creates each missing folder.
 */
function minimalOverhead(sim: GraphSimulator, i: number): { source: number; destination: number } {
  const src = sim.mailbox(SRC.tenantId, address(i, SRC.domain)).folders;
  const dst = sim.mailbox(DST.tenantId, address(i, DST.domain)).folders;
  const parents = (folders: typeof src) => new Set(folders.filter((f) => f.path.length > 1).map((f) => f.path.slice(0, -1).join('/'))).size;
  const created = dst.filter((f) => f.path.length > 1 || !WELL_KNOWN.includes(f.path[0]!)).length;
  return {
    source: 1 + parents(src) + src.reduce((n, f) => n + Math.ceil(f.count / 1000), 0),
    destination: 1 + parents(dst) + created,
  };
}

/** The limit-bound ceiling (messages/s) for a run of `seconds`; see the header for the formula. */
function ceiling(limits: GraphLimits, seconds: number, stats: GraphStats, items: number, overheads: { source: number; destination: number }[]): { rate: number; formula: string; budget: number } {
  const ms = seconds * 1000;
  const budget = limits.requestsPerWindow * (Math.floor(ms / limits.windowMs) + 1);
  const uploadBudget = limits.uploadBytesPerWindow * (Math.floor(ms / limits.uploadWindowMs) + 1);
  const bytesPerItem = items > 0 ? stats.bytesUploaded / items : 1;
  const pairs = overheads.map((o) => Math.min(budget - o.source, budget - o.destination, uploadBudget / bytesPerItem));
  const total = pairs.reduce((a, b) => a + b, 0);
  const o = overheads[0]!;
  const bound = pairs[0] === uploadBudget / bytesPerItem ? 'upload-bound' : 'request-bound';
  const formula = `per pair min(${limits.requestsPerWindow}·(⌊${ms.toFixed(0)}/${limits.windowMs}⌋+1)=${budget} requests − ${o.source} source / − ${o.destination} destination listing+folder requests, ÷ 1 request per message on each side; `
    + `${(uploadBudget / 1e6).toFixed(1)} MB ÷ ${(bytesPerItem / 1024).toFixed(1)} KB per message) = ${pairs[0]!.toFixed(0)} messages (${bound}); Σ ${overheads.length} pairs = ${total.toFixed(0)} messages ÷ ${seconds.toFixed(1)} s`;
  return { rate: total / seconds, formula, budget };
}

async function runScenario(scenario: Scenario, limits: GraphLimits, store: 'postgres' | 'pglite', redisUrl: string, trace?: string): Promise<Outcome> {
  const traceLines: string[] = [];
  // Per side, what the run spent its request budget on (server's view), and when messages were written.
  const tally = newTally();
  const sim = await startGraphSimulator({
    limits,
    onRequest: (e) => {
      if (trace) traceLines.push(`${e.at} ${e.mailbox} ${e.method} ${e.path} ${e.outcome}`);
      const side = e.mailbox.endsWith(SRC.domain) ? tally.source : tally.destination;
      const message = side === tally.source ? /\/messages\/[^/]+\/\$value$/.test(e.path) : e.method === 'POST' && /\/mailFolders\/[^/]+\/messages$/.test(e.path);
      if (e.outcome !== 'ok') side.refused++;
      else if (message) side.messages++;
      else side.other++;
      if (message && side === tally.destination && e.outcome === 'ok') {
        tally.firstWrite ||= e.at;
        tally.lastWrite = e.at;
      }
    },
  });
  seed(sim, scenario);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mf-graph-bench-'));
  const database = store === 'postgres' ? await createDatabase() : null;
  const engine = await createEngine({
    dataDir, databaseUrl: database?.databaseUrl, redisUrl, queuePrefix: `mfgraph-${randomBytes(4).toString('hex')}`,
    secretKey: randomBytes(32).toString('base64'), admins: [], log: quiet, copyConcurrency: scenario.mailboxes,
    connectorEnv: {
      graphBaseUrl: sim.baseUrl, authorityHost: sim.authorityHost, caCertPem: sim.caCertPem,
      graphLimits: { concurrencyPerMailbox: limits.concurrency, requestsPerWindow: limits.requestsPerWindow, windowMs: limits.windowMs, uploadBytesPerWindow: limits.uploadBytesPerWindow },
    },
  });
  try {
    const project = await engine.createProject(actor, { name: `graph-${scenario.mailboxes}`, sourcePlatform: 'm365', destinationPlatform: 'm365', channelKey: 'cli:bench' });
    const m365 = (t: typeof SRC) => ({ platform: 'm365' as const, tenantId: t.tenantId, clientId: t.clientId, clientSecret: t.clientSecret });
    await engine.saveConnection(actor, { project: project.id, side: 'source', settings: m365(SRC) });
    await engine.saveConnection(actor, { project: project.id, side: 'destination', settings: m365(DST) });
    await engine.startWorkers();
    const scan = await waitFor(engine, (await engine.startScan(actor, { project: project.id })).id);
    if (scan.status !== 'completed') throw new Error(`the scan ended ${scan.status}: ${scan.error ?? ''}`);
    const review = await engine.getMatchReview(actor, { project: project.id });
    if (review.counts.matched !== scenario.mailboxes) throw new Error(`expected ${scenario.mailboxes} matched mailboxes, got ${JSON.stringify(review.counts)}`);
    // Let the scan's requests leave the window, so the run starts with the whole budget the ceiling assumes.
    await new Promise((r) => setTimeout(r, limits.windowMs + 100));
    const before: GraphStats = structuredClone(sim.stats);
    // Full runs into Microsoft 365 cost credits (DESIGN §5): grant them, and approve the hold; timing starts at the approval.
    await engine.grantCredits(actor, { amount: scenario.mailboxes, reason: 'graph benchmark' });
    const launched = await engine.launchRun(actor, { project: project.id, mode: 'full', options: { mail: true, calendars: false, contacts: false } });
    const t0 = performance.now();
    const wall0 = Date.now();
    Object.assign(tally, newTally());
    if (launched.status === 'pending_approval' && launched.hold) await engine.decideHold(actor, { holdId: launched.hold.id, decision: 'approve' });
    const run = await waitFor(engine, launched.id);
    const seconds = (performance.now() - t0) / 1000;
    const copyMs = tally.lastWrite - tally.firstWrite;
    const copyCeiling = scenario.mailboxes * limits.requestsPerWindow * (Math.floor(copyMs / limits.windowMs) + 1);
    const phases = `first message written at ${((tally.firstWrite - wall0) / 1000).toFixed(1)} s, last at ${((tally.lastWrite - wall0) / 1000).toFixed(1)} s, run ended at ${seconds.toFixed(1)} s; `
      + `between first and last write (${(copyMs / 1000).toFixed(1)} s) the budget allowed ${copyCeiling} writes: ${((100 * tally.destination.messages) / copyCeiling).toFixed(1)} % used by messages`;
    const stats = diffStats(before, sim.stats);
    const fidelity = checkFidelity(sim, scenario);
    const overheads = Array.from({ length: scenario.mailboxes }, (_, i) => minimalOverhead(sim, i));
    const { rate: ceil, formula, budget } = ceiling(limits, seconds, stats, fidelity.items, overheads);
    const spent = (name: string, t: SideTally) => {
      const all = budget * scenario.mailboxes;
      const pct = (n: number) => `${n} (${((100 * n) / all).toFixed(0)} %)`;
      return `${name} budget ${all}: messages ${pct(t.messages)}, other ${pct(t.other)}, refused ${pct(t.refused)}, unused ${pct(all - t.messages - t.other - t.refused)}`;
    };
    const budgetUse = `${spent('source', tally.source)}; ${spent('destination', tally.destination)}`;
    const rate = fidelity.items / seconds;
    return { scenario, items: fidelity.items, expected: fidelity.expected, seconds, rate, ceiling: ceil, share: (100 * rate) / ceil, stats, status: run.status + (run.error ? ` (${run.error})` : ''), fidelity: fidelity.text, formula, phases, budgetUse };
  } finally {
    if (trace) await writeFile(`${trace}.${scenario.mailboxes}`, traceLines.join('\n') + '\n');
    await engine.close();
    await sim.close();
    await database?.drop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function diffStats(a: GraphStats, b: GraphStats): GraphStats {
  const perMailbox: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.perMailbox)) perMailbox[k] = v - (a.perMailbox[k] ?? 0);
  return {
    requests: b.requests - a.requests,
    throttled: { concurrency: b.throttled.concurrency - a.throttled.concurrency, rate: b.throttled.rate - a.throttled.rate, upload: b.throttled.upload - a.throttled.upload, random: b.throttled.random - a.throttled.random },
    unavailable503: b.unavailable503 - a.unavailable503, batchInner429: b.batchInner429 - a.batchInner429, gone410: b.gone410 - a.gone410,
    draftsCreated: b.draftsCreated - a.draftsCreated, invitationsSent: b.invitationsSent - a.invitationsSent, usersCreated: b.usersCreated - a.usersCreated,
    bytesUploaded: b.bytesUploaded - a.bytesUploaded, missingImmutableIdPrefer: b.missingImmutableIdPrefer - a.missingImmutableIdPrefer, perMailbox,
    byRoute: Object.fromEntries(Object.entries(b.byRoute).map(([k, v]) => [k, v - (a.byRoute[k] ?? 0)]).filter(([, v]) => Number(v) > 0)),
  };
}

function report(o: Outcome): void {
  const n = o.scenario.mailboxes;
  const side = (domain: string) => Object.entries(o.stats.perMailbox).filter(([k]) => k.endsWith(domain)).reduce((s, [, v]) => s + v, 0);
  const t = o.stats.throttled;
  log(`graph, ${n} mailbox${n === 1 ? '' : 'es'}: ${o.items}/${o.expected} messages in ${o.seconds.toFixed(1)} s = ${o.rate.toFixed(1)} msg/s; ceiling ${o.ceiling.toFixed(1)} msg/s; share ${o.share.toFixed(1)} %; run ${o.status}`);
  log(`  requests: source ${side(SRC.domain)} (${(side(SRC.domain) / Math.max(1, o.items)).toFixed(2)}/msg), destination ${side(DST.domain)} (${(side(DST.domain) / Math.max(1, o.items)).toFixed(2)}/msg), all ${o.stats.requests}; uploaded ${(o.stats.bytesUploaded / 1e6).toFixed(1)} MB`);
  log(`  throttled: concurrency ${t.concurrency}, rate ${t.rate}, upload ${t.upload}; batch inner 429 ${o.stats.batchInner429}; 503 ${o.stats.unavailable503}; 410 ${o.stats.gone410}; drafts ${o.stats.draftsCreated}; invitations ${o.stats.invitationsSent}; without ImmutableId ${o.stats.missingImmutableIdPrefer}`);
  const routes = Object.entries(o.stats.byRoute).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`);
  log(`  by endpoint: ${routes.join('; ')}`);
  log(`  fidelity: ${o.fidelity}`);
  log(`  timeline: ${o.phases}`);
  log(`  request budget use: ${o.budgetUse}`);
  log(`  ceiling: ${o.formula}`);
}

async function main(argv: string[]): Promise<number> {
  const requests = intFlag(argv, 'requests', 15);
  const windowMs = intFlag(argv, 'window-ms', 5000);
  const limits = scaledLimits(requests, windowMs);
  const store = (flag(argv, 'store') ?? 'postgres') as 'postgres' | 'pglite';
  const scenarios = (flag(argv, 'scenarios') ?? '1,20').split(',').map(Number);
  // Each run spans ~10 request windows: fewer measure the whole-window quantization of the few requests every run makes
  // at its start and end (listings, the verification), not the copy rate a real mailbox of thousands of messages sees.
  const one = intFlag(argv, 'messages-one', 150);
  const each = intFlag(argv, 'messages-each', 150);
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  log(`Microsoft 365 → Microsoft 365 through the Graph simulator; limits per app + mailbox: ${limits.concurrency} in flight, ${limits.requestsPerWindow} requests per ${limits.windowMs} ms, ${(limits.uploadBytesPerWindow / 1e6).toFixed(2)} MB uploaded per ${limits.uploadWindowMs} ms (Microsoft's ×${(requests / windowMs / MS_REQUESTS_PER_MS).toFixed(2)})`);
  const outcomes: Outcome[] = [];
  for (const mailboxes of scenarios) {
    const scenario = { mailboxes, perMailbox: mailboxes === 1 ? one : each };
    log(`\n${mailboxes} mailbox(es) × ${scenario.perMailbox} messages…`);
    const outcome = await runScenario(scenario, limits, store, redisUrl, flag(argv, 'trace'));
    report(outcome);
    outcomes.push(outcome);
  }
  log('');
  for (const o of outcomes) log(`graph, ${o.scenario.mailboxes} mailbox${o.scenario.mailboxes === 1 ? '' : 'es'}: ${o.share.toFixed(1)} % of ceiling`);
  return outcomes.every((o) => o.items === o.expected && o.stats.draftsCreated === 0) ? 0 : 2;
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  return 1;
});
process.exit();
