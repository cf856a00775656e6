import { describe, expect, it } from 'vitest'
import { matchShortcut } from './useShortcuts'

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({
  key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods,
})

describe('keyboard shortcuts', () => {
  it('maps Ctrl+N / Cmd+N to new and Ctrl+F / Cmd+F to search', () => {
    expect(matchShortcut(key('n', { ctrlKey: true }))).toBe('new')
    expect(matchShortcut(key('N', { metaKey: true }))).toBe('new')
    expect(matchShortcut(key('f', { ctrlKey: true }))).toBe('search')
  })
  it('ignores plain keys and other modifier combinations, so typing is never hijacked', () => {
    expect(matchShortcut(key('n'))).toBeNull()
    expect(matchShortcut(key('n', { ctrlKey: true, shiftKey: true }))).toBeNull()
    expect(matchShortcut(key('x', { ctrlKey: true }))).toBeNull()
  })
})
