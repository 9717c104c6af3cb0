/**
 * Contact folders and contacts. The default folder is not listed by /contactFolders (as in Graph);
 * its contacts are reached through /contacts.
 */
import { badRequest, graphError, json, notFound, page, parseJsonBody, type SimResponse } from './http.js';
import type { Route, RouteContext } from './router.js';
import { newId } from './state.js';
import type { Json, SimContact, SimMailbox } from './types.js';

const F = '([^/]+)';

export const contactRoutes: Route[] = [
  { method: 'GET', scope: 'mailbox', pattern: /^\/contactFolders$/, handler: listFolders },
  { method: 'POST', scope: 'mailbox', pattern: /^\/contactFolders$/, handler: createFolder },
  { method: 'GET', scope: 'mailbox', pattern: /^\/contacts$/, handler: (c) => listContacts(c, defaultFolder(c.user.mailbox)) },
  { method: 'GET', scope: 'mailbox', pattern: new RegExp(`^/contactFolders/${F}/contacts$`), handler: (c) => listContacts(c, folderId(c)) },
  { method: 'POST', scope: 'mailbox', upload: true, pattern: /^\/contacts$/, handler: (c) => createContact(c, defaultFolder(c.user.mailbox)) },
  { method: 'POST', scope: 'mailbox', upload: true, pattern: new RegExp(`^/contactFolders/${F}/contacts$`), handler: (c) => createContact(c, folderId(c)) },
];

export function defaultFolder(mb: SimMailbox): string {
  return [...mb.contactFolders.values()].find((f) => f.isDefault)!.id;
}

function folderId(c: RouteContext): string | null {
  const id = decodeURIComponent(c.params[0]!);
  return c.user.mailbox.contactFolders.has(id) ? id : null;
}

function listFolders(c: RouteContext): SimResponse {
  const mb = c.user.mailbox;
  const root = defaultFolder(mb);
  const items = [...mb.contactFolders.values()].filter((f) => !f.isDefault).map((f) => ({ id: f.id, displayName: f.displayName, parentFolderId: root }));
  return page(c.req, c.state.origin, items);
}

function createFolder(c: RouteContext): SimResponse {
  const name = parseJsonBody(c.req)?.['displayName'];
  if (typeof name !== 'string' || !name.trim()) return badRequest('The displayName property is required.');
  const mb = c.user.mailbox;
  if ([...mb.contactFolders.values()].some((f) => f.displayName.toLowerCase() === name.toLowerCase())) {
    return graphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
  }
  const f = { id: newId(), displayName: name, isDefault: false };
  mb.contactFolders.set(f.id, f);
  return json(201, { id: f.id, displayName: name, parentFolderId: defaultFolder(mb) });
}

export function renderContact(ct: SimContact): Json {
  return { '@odata.etag': `W/"${ct.id.slice(-8)}"`, ...ct.data, id: ct.id, parentFolderId: ct.folderId };
}

function listContacts(c: RouteContext, folder: string | null): SimResponse {
  if (!folder) return notFound('The specified folder could not be found in the store.');
  const items = [...c.user.mailbox.contacts.values()].filter((ct) => ct.folderId === folder).map(renderContact);
  return page(c.req, c.state.origin, items);
}

export function storeContact(mb: SimMailbox, folderId: string, data: Json): SimContact {
  const ct: SimContact = { id: newId(), folderId, data: { emailAddresses: [], businessPhones: [], categories: [], ...data } };
  mb.contacts.set(ct.id, ct);
  return ct;
}

function createContact(c: RouteContext, folder: string | null): SimResponse {
  if (!folder) return notFound('The specified folder could not be found in the store.');
  const body = parseJsonBody(c.req);
  if (!body) return badRequest('Unable to read JSON request payload.', 'RequestBodyRead');
  return json(201, renderContact(storeContact(c.user.mailbox, folder, body)));
}
