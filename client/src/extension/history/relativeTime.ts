/** "3 minutes ago"-style ages for the tree and the status bar. */
const units: Array<[limitSeconds: number, seconds: number, name: string]> = [
  [60, 1, 'second'],
  [3600, 60, 'minute'],
  [86400, 3600, 'hour'],
  [86400 * 30, 86400, 'day'],
  [86400 * 365, 86400 * 30, 'month'],
  [Number.POSITIVE_INFINITY, 86400 * 365, 'year'],
];

/** How long ago (or, for a future date, in how long) `date` is from `now`. */
export function relativeTime(date: Date, now: Date = new Date()): string {
  const deltaSeconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const magnitude = Math.abs(deltaSeconds);
  if (magnitude < 10) return 'just now';
  const unit = units.find(([limit]) => magnitude < limit) ?? units[units.length - 1]!;
  const count = Math.floor(magnitude / unit[1]);
  const phrase = `${count} ${unit[2]}${count === 1 ? '' : 's'}`;
  return deltaSeconds >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

/** A compact age for the status bar: `5m`, `3h`, `2d`. */
export function shortAge(date: Date, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}
