//! Keyboard shortcuts for a view: Ctrl/Cmd+N for "new", Ctrl/Cmd+F to focus
//! the search box. Active while the view is mounted. (Esc closing dialogs is
//! Element Plus's own behaviour.)
import { onBeforeUnmount, onMounted } from 'vue'

export interface Shortcuts {
  onNew?: () => void
  onSearch?: () => void
}

export function matchShortcut(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): 'new' | 'search' | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return null
  const k = e.key.toLowerCase()
  if (k === 'n') return 'new'
  if (k === 'f') return 'search'
  return null
}

export function useShortcuts(s: Shortcuts): void {
  const onKey = (e: KeyboardEvent) => {
    const m = matchShortcut(e)
    // Leave shortcuts alone while a dialog is open.
    if (!m || document.querySelector('.el-overlay:not([style*="display: none"]) .el-dialog')) return
    if (m === 'new' && s.onNew) {
      e.preventDefault()
      s.onNew()
    } else if (m === 'search' && s.onSearch) {
      e.preventDefault()
      s.onSearch()
    }
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
