import type { AppError, ErrorCode } from '../../errors.js';
import type { ButtonView, ErrorView, RefusalView } from '../../cards/views.js';

const titles: Record<ErrorCode, string> = {
  BAD_INPUT: 'That did not look right',
  NOT_FOUND: 'Not found',
  FORBIDDEN: 'Not allowed',
  CONFLICT: 'Already in progress',
  AUTH_FAILED: 'Sign-in failed',
  CONNECTION_FAILED: 'Could not connect',
  THROTTLED: 'Slowed down by the platform',
  NOT_CONNECTED: 'Not connected yet',
  NOT_SCANNED: 'Not scanned yet',
  INSUFFICIENT_CREDITS: 'Not enough credits',
  UNSUPPORTED: 'Not supported yet',
  DATA_DIR_LOCKED: 'Data directory in use',
  CONFIG: 'Configuration problem',
  INTERNAL: 'Something went wrong',
};

export const DETAIL_LIMIT = 20;

/** details.problems may be sentences or `{address, message}` objects (connector validation). */
export function problemLines(details: Record<string, unknown> | undefined): string[] {
  const raw = details?.problems;
  if (!Array.isArray(raw)) return [];
  const lines = raw.map((p): string => {
    if (typeof p === 'string') return p;
    if (p && typeof p === 'object') {
      const { address, message, line, field } = p as Record<string, unknown>;
      const where = address ?? (line !== undefined ? `line ${String(line)}` : field);
      return where ? `${String(where)}: ${String(message ?? '')}` : String(message ?? '');
    }
    return String(p);
  });
  if (lines.length <= DETAIL_LIMIT) return lines;
  return [...lines.slice(0, DETAIL_LIMIT), `…and ${lines.length - DETAIL_LIMIT} more`];
}

export function presentError(error: AppError, actions?: ButtonView[]): ErrorView {
  const details = problemLines(error.details);
  return {
    kind: 'error',
    title: titles[error.code] ?? 'Something went wrong',
    message: error.userMessage,
    code: error.code,
    ...(details.length ? { details } : {}),
    ...(actions?.length ? { actions } : {}),
  };
}

export function presentRefusal(action: string, allowedRoles: readonly string[], yourRoles: readonly string[]): RefusalView {
  return { kind: 'refusal', action, allowedRoles: [...allowedRoles], yourRoles: [...yourRoles] };
}
