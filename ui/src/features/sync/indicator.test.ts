import { describe, expect, it } from 'vitest'
import type { SyncStatus } from '@/api'
import { indicator, isSyncShortcut, relative, since } from './indicator'

const base: SyncStatus = {
  state: 'idle', pending: 0, lastSuccessMs: null, lastAttemptMs: null, lastError: null, nextRetryMs: null,
  failures: 0, clockOffsetMs: null, dataRevision: 0, refused: [],
}

describe('sync indicator', () => {
  it('says the desktop works locally when nobody logged in', () => {
    expect(indicator({ ...base, state: 'signed_out', pending: 40 }).label).toBe('sync.badge.local')
  })
  it('shows pending changes when idle, and synced when none are left', () => {
    expect(indicator({ ...base, pending: 3 })).toEqual({ label: 'sync.badge.pending', args: { n: 3 }, tone: 'warning' })
    expect(indicator(base).tone).toBe('success')
  })
  it('tells offline from a server error, keeping the pending count', () => {
    expect(indicator({ ...base, state: 'offline', pending: 2 }).label).toBe('sync.badge.offlinePending')
    expect(indicator({ ...base, state: 'offline' }).label).toBe('sync.badge.offline')
    expect(indicator({ ...base, state: 'error', pending: 5 })).toMatchObject({ tone: 'danger', args: { n: 5 } })
  })
})

describe('relative time', () => {
  const now = 1_700_000_000_000
  it('reads never, now, minutes, hours, days and future retries', () => {
    expect(relative(null, now).key).toBe('sync.ago.never')
    expect(relative(now - 5_000, now).key).toBe('sync.ago.now')
    expect(relative(now - 5 * 60_000, now)).toEqual({ key: 'sync.ago.minutes', n: 5 })
    expect(relative(now - 3 * 3_600_000, now)).toEqual({ key: 'sync.ago.hours', n: 3 })
    expect(relative(now - 2 * 86_400_000, now)).toEqual({ key: 'sync.ago.days', n: 2 })
    expect(relative(now + 1_500, now)).toEqual({ key: 'sync.ago.in', n: 2 })
  })
  it('never puts a past event in the future when the clock ticked before it came', () => {
    expect(since(now + 1_500, now).key).toBe('sync.ago.now')
    expect(since(now - 5 * 60_000, now)).toEqual({ key: 'sync.ago.minutes', n: 5 })
    expect(since(null, now).key).toBe('sync.ago.never')
  })
})

describe('sync shortcut', () => {
  const key = (k: string, mods: Partial<KeyboardEvent> = {}) =>
    ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods }) as KeyboardEvent
  it('is Ctrl+S or Cmd+S and nothing else', () => {
    expect(isSyncShortcut(key('s', { ctrlKey: true }))).toBe(true)
    expect(isSyncShortcut(key('S', { metaKey: true }))).toBe(true)
    expect(isSyncShortcut(key('s'))).toBe(false)
    expect(isSyncShortcut(key('s', { ctrlKey: true, shiftKey: true }))).toBe(false)
  })
})
