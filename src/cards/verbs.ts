import { z } from 'zod';

/**
 * Every button and form verb with the schema of what it carries back. Card data is untrusted:
 * anything that does not parse is refused. Form inputs arrive merged into the same object.
 */
const id = z.string().min(1).max(64);
const page = z.coerce.number().int().min(0).max(100_000).default(0);

export const verbs = {
  help: z.object({}),
  /** Open the new-project form (Teams button; Slack opens a modal). */
  'project.new': z.object({}),
  /** New-project form submit. */
  'project.create': z.object({
    name: z.string(),
    source: z.string(),
    destination: z.string(),
  }),
  'project.show': z.object({ projectId: id }),
  /** Open the credentials form of one side. */
  'connect.open': z.object({ projectId: id, side: z.enum(['source', 'destination']), /** Microsoft 365: the manual form instead of the consent card. */ manual: z.boolean().optional() }),
  /** Credentials form submit: the platform's fields arrive as strings. */
  'connect.save': z.object({ projectId: id, side: z.enum(['source', 'destination']) }).catchall(z.union([z.string(), z.number(), z.boolean()])),
  'scan.start': z.object({ projectId: id }),
  'match.open': z.object({ projectId: id, filter: z.enum(['needs_review', 'all']).default('needs_review'), page }),
  'mapping.override': z.object({
    projectId: id,
    mappingId: id,
    filter: z.enum(['needs_review', 'all']).default('needs_review'),
    page,
    /** The chosen destination address (select or text input). */
    destination: z.string().optional(),
  }).catchall(z.union([z.string(), z.number(), z.boolean()])),
  'mapping.exclude': z.object({ projectId: id, mappingId: id, filter: z.enum(['needs_review', 'all']).default('needs_review'), page }),
  'mapping.include': z.object({ projectId: id, mappingId: id, filter: z.enum(['needs_review', 'all']).default('needs_review'), page }),
  'mapping.create_missing': z.object({ projectId: id, mappingId: id, filter: z.enum(['needs_review', 'all']).default('needs_review'), page }),
  'match.export': z.object({ projectId: id }),
  /** Open the CSV import form (Slack modal / Teams card input). */
  'match.import_open': z.object({ projectId: id }),
  'match.import': z.object({ projectId: id, csv: z.string().max(2_000_000) }),
  /** Start a copy run ("Retry failed" on a finished run card sends mode retry). */
  'run.launch': z.object({ projectId: id, mode: z.enum(['full', 'delta', 'structure', 'retry']).default('full') }),
  'run.cancel': z.object({ projectId: id }),
  /** A page of one mailbox's event log (Previous / Next). */
  'mailbox.log': z.object({ address: z.string().min(3).max(320), page, projectId: id.optional() }),
  /** Launch form of a full run that creates missing Microsoft 365 users: their usage location and license. */
  'run.create_missing': z.object({ projectId: id, usageLocation: z.string().max(10).default(''), skuId: z.string().max(64).default('') }),
  /** Decide a credit hold (approvers and admins; the server re-checks). */
  'hold.approve': z.object({ holdId: id }),
  'hold.reject': z.object({ holdId: id }),
  /** Teams Universal Actions refresh of an approval card: approvers get the buttons, others not. */
  'hold.refresh': z.object({ holdId: id }),
  /** Open a hold's approval card (from the approvals list). */
  'hold.open': z.object({ holdId: id }),
  /** A page of the mailboxes an approval card covers. */
  'hold.page': z.object({ holdId: id, page }),
} as const;

export type Verb = keyof typeof verbs;
export type VerbPayload<V extends Verb> = z.infer<(typeof verbs)[V]>;

export type ParsedAction = { [V in Verb]: { verb: V; payload: VerbPayload<V> } }[Verb];

export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && Object.hasOwn(verbs, value);
}

/** Validates a click: `{verb, …data}` → a typed action, or a sentence saying what was wrong. */
export function parseAction(verb: unknown, data: unknown): { ok: true; action: ParsedAction } | { ok: false; problem: string } {
  if (!isVerb(verb)) return { ok: false, problem: `Unknown card action “${String(verb).slice(0, 40)}”.` };
  const { verb: _ignored, ...rest } = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const parsed = verbs[verb].safeParse(rest);
  if (!parsed.success) {
    return { ok: false, problem: `The card sent incomplete data for “${verb}”: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}.` };
  }
  return { ok: true, action: { verb, payload: parsed.data } as ParsedAction };
}
