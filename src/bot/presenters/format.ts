/** Human-friendly numbers and durations for cards: 1,234 · 45.2 MB · about 3 h 20 min. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number | null | undefined): string {
  return integer.format(Math.round(n ?? 0));
}

/** Binary units (what mail clients show), one decimal below 100. */
export function formatBytes(bytes: number | null | undefined): string {
  const value = Math.max(0, bytes ?? 0);
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  if (value < 1024) return `${formatCount(value)} ${value === 1 ? 'byte' : 'bytes'}`;
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  const text = scaled >= 100 ? formatCount(scaled) : scaled.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[unit]}`;
}

/** "about 3 h 20 min", "about 2 d 4 h", "under a minute". */
export function formatDuration(seconds: number | null | undefined): string {
  const s = Math.max(0, Math.round(seconds ?? 0));
  if (s < 60) return 'under a minute';
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `about ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const restMinutes = minutes % 60;
  if (hours < 24) return restMinutes ? `about ${hours} h ${restMinutes} min` : `about ${hours} h`;
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return restHours ? `about ${days} d ${restHours} h` : `about ${days} d`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Quotes a project name for a command line when it has spaces. */
export function commandArg(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}

/** `2026-11-24 04:25 UTC`: unambiguous across a team in several time zones. */
export function formatWhen(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const kindLabels: Record<string, string> = {
  user: 'User',
  shared: 'Shared',
  room: 'Room',
  equipment: 'Equipment',
  archive: 'Archive',
  public_folders: 'Public folders',
};

export function kindLabel(kind: string): string {
  return kindLabels[kind] ?? kind;
}
