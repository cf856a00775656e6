//! What the sync indicator shows, as pure functions of the backend's
//! `SyncStatus` (tested without a window).
import type { SyncStatus } from '@/api'

export type IndicatorTone = 'info' | 'success' | 'warning' | 'danger' | 'primary'

export interface Indicator {
  /** i18n key of the short label in the top bar. */
  label: string
  /** Arguments for the label. */
  args: Record<string, number | string>
  tone: IndicatorTone
}

/** The top-bar label: state first, then pending changes. */
export function indicator(s: SyncStatus): Indicator {
  switch (s.state) {
    case 'signed_out':
      return { label: 'sync.badge.local', args: {}, tone: 'info' }
    case 'syncing':
      return { label: 'sync.badge.syncing', args: {}, tone: 'primary' }
    case 'offline':
      return { label: s.pending > 0 ? 'sync.badge.offlinePending' : 'sync.badge.offline', args: { n: s.pending }, tone: 'warning' }
    case 'error':
      return { label: 'sync.badge.error', args: { n: s.pending }, tone: 'danger' }
    case 'idle':
      return s.pending > 0
        ? { label: 'sync.badge.pending', args: { n: s.pending }, tone: 'warning' }
        : { label: 'sync.badge.synced', args: {}, tone: 'success' }
  }
}

export interface Relative {
  key: 'sync.ago.now' | 'sync.ago.minutes' | 'sync.ago.hours' | 'sync.ago.days' | 'sync.ago.in' | 'sync.ago.never'
  n: number
}

/** `ms` relative to `now`: just now, N minutes / hours / days ago, or in N seconds. */
export function relative(ms: number | null | undefined, now: number): Relative {
  if (ms == null) return { key: 'sync.ago.never', n: 0 }
  const d = now - ms
  if (d < 0) return { key: 'sync.ago.in', n: Math.ceil(-d / 1000) }
  if (d < 60_000) return { key: 'sync.ago.now', n: 0 }
  if (d < 3_600_000) return { key: 'sync.ago.minutes', n: Math.floor(d / 60_000) }
  if (d < 86_400_000) return { key: 'sync.ago.hours', n: Math.floor(d / 3_600_000) }
  return { key: 'sync.ago.days', n: Math.floor(d / 86_400_000) }
}

/** A past event (a last success): never "in N s", even when `now` ticked before it came. */
export function since(ms: number | null | undefined, now: number): Relative {
  return relative(ms, ms == null ? now : Math.max(now, ms))
}

/** Clock offset for people: "+12 分钟" style minutes, sign = server minus this computer. */
export function offsetMinutes(ms: number | null): number | null {
  return ms == null ? null : Math.round(ms / 60_000)
}

/** Ctrl/Cmd+S: sync now (every edit is already saved locally, so "save" means "to the server"). */
export function isSyncShortcut(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): boolean {
  return (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 's'
}
