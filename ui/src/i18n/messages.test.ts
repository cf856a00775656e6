import { describe, expect, it } from 'vitest'
import zhCN from './zh-CN'
import en from './en'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('i18n messages', () => {
  it('English has exactly the Chinese keys, so no label falls back silently', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })
  it('has a localized title for every backend error code', async () => {
    const { ERROR_CODES } = await import('@/api/errors')
    for (const c of ERROR_CODES) {
      expect(zhCN.errors[c], c).toBeTruthy()
      expect(en.errors[c], c).toBeTruthy()
    }
  })
})
