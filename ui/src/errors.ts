//! Global error reporting: every uncaught error (component handlers, async
//! event handlers, unhandled promise rejections) ends up in `showError`,
//! which shows a localized title by `code` plus the backend's message.
import { ElMessage } from 'element-plus'
import type { App } from 'vue'
import { ApiError } from '@/api'
import { i18n } from '@/i18n'

/** ElMessageBox rejects with these when the user cancels: not an error. */
export function isCancel(err: unknown): boolean {
  return err === 'cancel' || err === 'close'
}

/** Localized `{title, detail}` for any thrown value. */
export function describeError(err: unknown): { title: string; detail: string } {
  const t = i18n.global.t
  if (err instanceof ApiError) return { title: t(`errors.${err.code}`), detail: err.message }
  if (err instanceof Error) return { title: t('errors.internal'), detail: err.message }
  return { title: t('errors.internal'), detail: String(err) }
}

export function showError(err: unknown): void {
  if (isCancel(err)) return
  // Element Plus form validation rejects with the field map; the form
  // already shows the messages inline.
  if (err && typeof err === 'object' && !(err instanceof Error)) return
  const { title, detail } = describeError(err)
  console.error(err)
  ElMessage({ type: 'error', message: detail ? `${title}：${detail}` : title, duration: 6000, showClose: true, grouping: true })
}

export function installErrorHandler(app: App): void {
  app.config.errorHandler = (err) => showError(err)
  window.addEventListener('unhandledrejection', (e) => {
    showError(e.reason)
    e.preventDefault()
  })
}
