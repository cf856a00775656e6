//! After an export: a notification that shows where the file went. The path
//! sits in `[data-testid=export-path]` for the end-to-end test.
import { ElLoading, ElNotification } from 'element-plus'
import { h } from 'vue'
import type { ExportResult } from '@/api'
import { i18n } from '@/i18n'

export function notifyExported(r: ExportResult): void {
  const t = i18n.global.t
  ElNotification({
    type: 'success',
    title: t('export.title'),
    duration: 10000,
    // Bottom-right: top-right would cover the top bar and drawer actions.
    position: 'bottom-right',
    message: h('div', { class: 'export-notice' }, [
      h('div', t('export.saved')),
      h('code', { 'data-testid': 'export-path', style: 'word-break: break-all; user-select: text' }, r.path),
      h('div', { style: 'color: var(--el-text-color-secondary)' }, t('export.rows', { n: r.rows })),
    ]),
  })
}

/** Runs an export behind a full-window loading mask, then shows where the file went. */
export async function runExport(f: () => Promise<ExportResult>): Promise<void> {
  const l = ElLoading.service({ fullscreen: true, lock: true, text: i18n.global.t('export.running') })
  let result: ExportResult
  try {
    result = await f()
  } finally {
    l.close()
  }
  notifyExported(result)
}
