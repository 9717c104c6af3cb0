/**
 * Calendars and events. The invitation rule: creating or PATCHing an event with a non-empty
 * `attendees` list sends an invitation to each attendee (stats.invitationsSent), which a migration
 * must never do.
 */
import { badRequest, eqFilter, graphError, json, notFound, page, parseJsonBody, select, type SimResponse } from './http.js';
import type { Route, RouteContext } from './router.js';
import { newId } from './state.js';
import type { Json, SimEvent, SimMailbox } from './types.js';
import { randomUUID } from 'node:crypto';

const C = '([^/]+)';

export const calendarRoutes: Route[] = [
  { method: 'GET', scope: 'mailbox', pattern: /^\/calendars$/, handler: listCalendars },
  { method: 'POST', scope: 'mailbox', pattern: /^\/calendars$/, handler: createCalendar },
  { method: 'GET', scope: 'mailbox', pattern: new RegExp(`^/calendars/${C}/events$`), handler: (c) => listEvents(c, calendarId(c)) },
  { method: 'GET', scope: 'mailbox', pattern: /^\/events$/, handler: (c) => listEvents(c, defaultCalendar(c.user.mailbox)) },
  { method: 'POST', scope: 'mailbox', upload: true, pattern: new RegExp(`^/calendars/${C}/events$`), handler: (c) => createEvent(c, calendarId(c)) },
  { method: 'POST', scope: 'mailbox', upload: true, pattern: /^\/events$/, handler: (c) => createEvent(c, defaultCalendar(c.user.mailbox)) },
  { method: 'GET', scope: 'mailbox', pattern: new RegExp(`^(?:/calendars/${C})?/events/${C}$`), handler: getEvent },
  { method: 'PATCH', scope: 'mailbox', pattern: new RegExp(`^(?:/calendars/${C})?/events/${C}$`), handler: patchEvent },
];

function defaultCalendar(mb: SimMailbox): string {
  return [...mb.calendars.values()].find((c) => c.isDefault)!.id;
}

function calendarId(c: RouteContext): string | null {
  const id = decodeURIComponent(c.params[0]!);
  return c.user.mailbox.calendars.has(id) ? id : null;
}

function listCalendars(c: RouteContext): SimResponse {
  const items = [...c.user.mailbox.calendars.values()].map((cal) => ({ id: cal.id, name: cal.name, isDefaultCalendar: cal.isDefault, canEdit: true, owner: { name: c.user.displayName, address: c.user.address } }));
  return page(c.req, c.state.origin, items);
}

function createCalendar(c: RouteContext): SimResponse {
  const name = parseJsonBody(c.req)?.['name'];
  if (typeof name !== 'string' || !name.trim()) return badRequest('The name property is required.');
  const mb = c.user.mailbox;
  if ([...mb.calendars.values()].some((cal) => cal.name.toLowerCase() === name.toLowerCase())) {
    return graphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
  }
  const cal = { id: newId(), name, isDefault: false };
  mb.calendars.set(cal.id, cal);
  return json(201, { id: cal.id, name, isDefaultCalendar: false, canEdit: true });
}

export function renderEvent(e: SimEvent): Json {
  return { '@odata.etag': `W/"${e.id.slice(-8)}"`, ...e.data, id: e.id, iCalUId: e.iCalUId, calendarId: e.calendarId };
}

function listEvents(c: RouteContext, cal: string | null): SimResponse {
  if (!cal) return notFound('The specified calendar could not be found.');
  let items = [...c.user.mailbox.events.values()].filter((e) => e.calendarId === cal);
  const filter = c.req.query.get('$filter');
  if (filter) {
    const eq = eqFilter(filter);
    if (!eq || eq[0] !== 'iCalUId') return badRequest(`Unsupported $filter: ${filter}`, 'ErrorInvalidUrlQueryFilter');
    items = items.filter((e) => e.iCalUId === eq[1]);
  }
  return page(c.req, c.state.origin, items.map(renderEvent));
}

function attendeeCount(body: Json): number {
  return Array.isArray(body['attendees']) ? body['attendees'].length : 0;
}

export function storeEvent(mb: SimMailbox, calendarId: string, data: Json): SimEvent {
  const e: SimEvent = { id: newId(), calendarId, data: { attendees: [], categories: [], isAllDay: false, showAs: 'busy', sensitivity: 'normal', ...data }, iCalUId: typeof data['iCalUId'] === 'string' ? data['iCalUId'] : `040000008200E00074C5B7101A82E008${randomUUID().replace(/-/g, '')}` };
  mb.events.set(e.id, e);
  return e;
}

function createEvent(c: RouteContext, cal: string | null): SimResponse {
  if (!cal) return notFound('The specified calendar could not be found.');
  const body = parseJsonBody(c.req);
  if (!body || typeof body['start'] !== 'object' || typeof body['end'] !== 'object') return badRequest('An event needs start and end.', 'ErrorInvalidRequest');
  c.state.stats.invitationsSent += attendeeCount(body);
  const e = storeEvent(c.user.mailbox, cal, { ...body, organizer: body['organizer'] ?? { emailAddress: { name: c.user.displayName, address: c.user.address } } });
  return json(201, renderEvent(e));
}

function findEvent(c: RouteContext): SimEvent | undefined {
  return c.user.mailbox.events.get(decodeURIComponent(c.params[1]!));
}

function getEvent(c: RouteContext): SimResponse {
  const e = findEvent(c);
  return e ? json(200, select(renderEvent(e), c.req.query)) : notFound();
}

function patchEvent(c: RouteContext): SimResponse {
  const e = findEvent(c);
  if (!e) return notFound();
  const body = parseJsonBody(c.req);
  if (!body) return badRequest('Unable to read JSON request payload.', 'RequestBodyRead');
  c.state.stats.invitationsSent += attendeeCount(body);
  e.data = { ...e.data, ...body };
  return json(200, renderEvent(e));
}
