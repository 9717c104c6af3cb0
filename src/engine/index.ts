/** The only module src/bot and src/cli import from the engine. */
export type * from './api.js';
export { ROLES } from './api.js';
export type { ConnectionSettings, MailboxKind, Platform } from './connectors/types.js';
export { PLATFORMS } from './connectors/types.js';
export { createEngine } from './engine.js';
export { resolveSecretKey } from './secrets.js';
export { openOperator } from './operator.js';
export type { Operator, OrgEntry } from './operator.js';
