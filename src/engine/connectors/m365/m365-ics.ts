/**
 * Graph event ↔ iCalendar (RFC 5545) VEVENT, the form events cross platforms in. Covered: summary,
 * description, location, start/end (UTC, TZID or all-day), organizer, attendees, categories,
 * free/busy, sensitivity and simple recurrence (daily/weekly/monthly/yearly with interval, days,
 * until or count). Writing to Graph never sets `attendees`: Graph would send each one an invitation
 * (reference §1.4, pitfall 16), so the list goes into the body and a named extended property.
 */
import { ATTENDEES_PROPERTY, HASH_PROPERTY } from './m365-context.js';

export interface GraphDateTime { dateTime: string; timeZone: string }
export interface GraphEvent {
  id?: string;
  iCalUId?: string;
  subject?: string;
  body?: { contentType?: string; content?: string };
  start?: GraphDateTime;
  end?: GraphDateTime;
  location?: { displayName?: string };
  isAllDay?: boolean;
  attendees?: { emailAddress?: { address?: string; name?: string }; type?: string }[];
  organizer?: { emailAddress?: { address?: string; name?: string } };
  recurrence?: { pattern?: { type?: string; interval?: number; daysOfWeek?: string[]; dayOfMonth?: number; month?: number }; range?: { type?: string; startDate?: string; endDate?: string; numberOfOccurrences?: number } } | null;
  showAs?: string;
  sensitivity?: string;
  categories?: string[];
  singleValueExtendedProperties?: { id: string; value: string }[];
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const ICS_DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/** RFC 5545 text escaping. */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Folds a content line at 75 octets (continuation lines start with a space). */
export function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const ch of line) {
    if (Buffer.byteLength(current + ch, 'utf8') > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
    }
    current += ch;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export interface ContentLine { name: string; params: Record<string, string>; value: string }

/** Unfolded content lines of an iCalendar or vCard text. */
export function contentLines(text: string): ContentLine[] {
  return text.replace(/\r?\n[ \t]/g, '').split(/\r?\n/).filter((l) => l.includes(':')).map((line) => {
    let quoted = false;
    let colon = -1;
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '"') quoted = !quoted;
      if (line[i] === ':' && !quoted) { colon = i; break; }
    }
    const [head = '', ...rawParams] = line.slice(0, colon).split(';');
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"|"$/g, '');
    }
    return { name: head.toUpperCase(), params, value: line.slice(colon + 1) };
  });
}

/** "2024-01-02T03:04:05.0000000" (Graph) → "20240102T030405". */
function icsStamp(dateTime: string): string {
  return dateTime.replace(/\.\d+$/, '').replace(/Z$/, '').replace(/[-:]/g, '');
}

function dateLine(name: string, dt: GraphDateTime | undefined, allDay: boolean): string | undefined {
  if (!dt?.dateTime) return undefined;
  const stamp = icsStamp(dt.dateTime);
  if (allDay) return `${name};VALUE=DATE:${stamp.slice(0, 8)}`;
  const tz = dt.timeZone || 'UTC';
  return /^(utc|gmt|etc\/utc|z)$/i.test(tz) || /Z$/.test(dt.dateTime) ? `${name}:${stamp}Z` : `${name};TZID=${tz}:${stamp}`;
}

function rrule(event: GraphEvent): string | undefined {
  const p = event.recurrence?.pattern;
  const r = event.recurrence?.range;
  if (!p?.type) return undefined;
  const freq = { daily: 'DAILY', weekly: 'WEEKLY', absoluteMonthly: 'MONTHLY', relativeMonthly: 'MONTHLY', absoluteYearly: 'YEARLY', relativeYearly: 'YEARLY' }[p.type];
  if (!freq) return undefined;
  const parts = [`FREQ=${freq}`];
  if (p.interval && p.interval > 1) parts.push(`INTERVAL=${p.interval}`);
  if (p.daysOfWeek?.length) parts.push(`BYDAY=${p.daysOfWeek.map((d) => ICS_DAYS[DAYS.indexOf(d.toLowerCase())]).filter(Boolean).join(',')}`);
  if (p.type === 'absoluteMonthly' && p.dayOfMonth) parts.push(`BYMONTHDAY=${p.dayOfMonth}`);
  if (r?.type === 'endDate' && r.endDate) parts.push(`UNTIL=${r.endDate.replace(/-/g, '')}`);
  if (r?.type === 'numbered' && r.numberOfOccurrences) parts.push(`COUNT=${r.numberOfOccurrences}`);
  return `RRULE:${parts.join(';')}`;
}

function htmlToText(html: string): string {
  return html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>/gi, '\n').replace(/<[^>]+>/g, '').replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
}

/** A Graph event as an iCalendar object (stable: the same event gives the same bytes). */
export function eventToIcs(event: GraphEvent): string {
  const allDay = event.isAllDay === true;
  const body = event.body?.content ? (event.body.contentType === 'html' ? htmlToText(event.body.content) : event.body.content) : '';
  const person = (role: string, a?: { address?: string; name?: string }) => (a?.address ? `${role}${a.name ? `;CN="${a.name.replace(/"/g, '')}"` : ''}:mailto:${a.address}` : undefined);
  const lines = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//mailferry//Microsoft 365//EN', 'BEGIN:VEVENT',
    `UID:${event.iCalUId ?? event.id ?? ''}`,
    `DTSTAMP:${icsStamp(event.start?.dateTime ?? '1970-01-01T00:00:00').slice(0, 15)}Z`,
    dateLine('DTSTART', event.start, allDay), dateLine('DTEND', event.end, allDay),
    `SUMMARY:${escapeText(event.subject ?? '')}`,
    body ? `DESCRIPTION:${escapeText(body)}` : undefined,
    event.location?.displayName ? `LOCATION:${escapeText(event.location.displayName)}` : undefined,
    person('ORGANIZER', event.organizer?.emailAddress),
    ...(event.attendees ?? []).map((a) => person(`ATTENDEE;ROLE=${a.type === 'optional' ? 'OPT-PARTICIPANT' : 'REQ-PARTICIPANT'}`, a.emailAddress)),
    event.categories?.length ? `CATEGORIES:${event.categories.map(escapeText).join(',')}` : undefined,
    event.showAs ? `TRANSP:${event.showAs === 'free' ? 'TRANSPARENT' : 'OPAQUE'}` : undefined,
    event.sensitivity && event.sensitivity !== 'normal' ? `CLASS:${event.sensitivity === 'private' ? 'PRIVATE' : 'CONFIDENTIAL'}` : undefined,
    rrule(event),
    'END:VEVENT', 'END:VCALENDAR',
  ];
  return lines.filter((l): l is string => Boolean(l)).map(fold).join('\r\n') + '\r\n';
}

function graphTime(line: ContentLine | undefined): { dt: GraphDateTime; allDay: boolean } | undefined {
  if (!line) return undefined;
  const v = line.value.trim();
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', z] = m;
  const allDay = line.params.VALUE === 'DATE' || m[4] === undefined;
  const timeZone = z || allDay ? 'UTC' : line.params.TZID ?? 'UTC';
  return { dt: { dateTime: `${y}-${mo}-${d}T${h}:${mi}:${s}`, timeZone }, allDay };
}

function plus(dt: GraphDateTime, ms: number): GraphDateTime {
  return { dateTime: new Date(Date.parse(`${dt.dateTime}Z`) + ms).toISOString().slice(0, 19), timeZone: dt.timeZone };
}

function recurrenceOf(value: string | undefined, start: GraphDateTime): GraphEvent['recurrence'] {
  if (!value) return undefined;
  const rule = Object.fromEntries(value.split(';').map((p) => p.split('=') as [string, string]));
  const type = { DAILY: 'daily', WEEKLY: 'weekly', MONTHLY: 'absoluteMonthly', YEARLY: 'absoluteYearly' }[rule.FREQ ?? ''];
  if (!type) return undefined;
  const startDate = start.dateTime.slice(0, 10);
  const until = rule.UNTIL ? `${rule.UNTIL.slice(0, 4)}-${rule.UNTIL.slice(4, 6)}-${rule.UNTIL.slice(6, 8)}` : undefined;
  const days = rule.BYDAY ? rule.BYDAY.split(',').map((d) => DAYS[ICS_DAYS.indexOf(d.slice(-2))]).filter((d): d is string => Boolean(d)) : undefined;
  return {
    pattern: {
      type, interval: Number(rule.INTERVAL ?? 1),
      ...(type === 'weekly' ? { daysOfWeek: days ?? [DAYS[new Date(`${startDate}T00:00:00Z`).getUTCDay()]!] } : {}),
      ...(type === 'absoluteMonthly' || type === 'absoluteYearly' ? { dayOfMonth: Number(rule.BYMONTHDAY ?? startDate.slice(8, 10)) } : {}),
      ...(type === 'absoluteYearly' ? { month: Number(startDate.slice(5, 7)) } : {}),
    },
    range: until ? { type: 'endDate', startDate, endDate: until } : rule.COUNT ? { type: 'numbered', startDate, numberOfOccurrences: Number(rule.COUNT) } : { type: 'noEnd', startDate },
  };
}

function mailto(value: string): string {
  return value.replace(/^mailto:/i, '').trim();
}

/** An iCalendar VEVENT as a Graph event to create: no attendees (see the file comment). */
export function icsToEvent(ics: string, sourceHash: string): GraphEvent {
  const lines = contentLines(ics);
  const inEvent = lines.slice(Math.max(0, lines.findIndex((l) => l.name === 'BEGIN' && l.value.toUpperCase() === 'VEVENT')));
  const get = (name: string) => inEvent.find((l) => l.name === name);
  const start = graphTime(get('DTSTART')) ?? { dt: { dateTime: '1970-01-01T00:00:00', timeZone: 'UTC' }, allDay: false };
  const end = graphTime(get('DTEND'))?.dt ?? plus(start.dt, start.allDay ? 86_400_000 : 3_600_000);
  const attendees = inEvent.filter((l) => l.name === 'ATTENDEE').map((l) => (l.params.CN ? `${l.params.CN} <${mailto(l.value)}>` : mailto(l.value)));
  const organizer = get('ORGANIZER');
  const description = unescapeText(get('DESCRIPTION')?.value ?? '');
  const note = attendees.length > 0
    ? `${description ? `${description}\n\n` : ''}Attendees (kept from the original invitation; nobody was invited again by the migration): ${attendees.join('; ')}${organizer ? `\nOrganizer: ${organizer.params.CN ? `${organizer.params.CN} <${mailto(organizer.value)}>` : mailto(organizer.value)}` : ''}`
    : description;
  const transp = get('TRANSP')?.value.toUpperCase();
  const klass = get('CLASS')?.value.toUpperCase();
  const categories = get('CATEGORIES')?.value.split(/(?<!\\),/).map(unescapeText).filter(Boolean);
  const recurrence = recurrenceOf(get('RRULE')?.value, start.dt);
  return {
    subject: unescapeText(get('SUMMARY')?.value ?? ''),
    body: { contentType: 'text', content: note },
    start: start.dt, end, isAllDay: start.allDay,
    ...(get('LOCATION') ? { location: { displayName: unescapeText(get('LOCATION')!.value) } } : {}),
    ...(categories?.length ? { categories } : {}),
    ...(transp ? { showAs: transp === 'TRANSPARENT' ? 'free' : 'busy' } : {}),
    ...(klass === 'PRIVATE' ? { sensitivity: 'private' } : klass === 'CONFIDENTIAL' ? { sensitivity: 'confidential' } : {}),
    ...(recurrence ? { recurrence } : {}),
    singleValueExtendedProperties: [
      { id: HASH_PROPERTY, value: sourceHash },
      ...(attendees.length > 0 ? [{ id: ATTENDEES_PROPERTY, value: JSON.stringify(attendees) }] : []),
    ],
  };
}
