import { describe, expect, it } from 'vitest'
import { ApiError, unwrap } from './errors'

describe('unwrap', () => {
  it('returns data on ok', () => {
    expect(unwrap({ status: 'ok', data: 42 })).toBe(42)
  })
  it('throws ApiError carrying the backend code and message', () => {
    try {
      unwrap({ status: 'error', error: { code: 'conflict', message: '工号已存在' } })
      expect.unreachable('unwrap must throw on error')
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError)
      expect((e as ApiError).code).toBe('conflict')
      expect((e as ApiError).message).toBe('工号已存在')
    }
  })
  it('maps unknown codes to internal so the UI always has a title', () => {
    expect(() => unwrap({ status: 'error', error: { code: 'weird', message: 'x' } })).toThrow(ApiError)
    try {
      unwrap({ status: 'error', error: { code: 'weird', message: 'x' } })
    } catch (e) {
      expect((e as ApiError).code).toBe('internal')
    }
  })
  it('wraps a bare string rejection (e.g. an argument error from Tauri)', () => {
    try {
      unwrap({ status: 'error', error: 'invalid args `id`' as never })
    } catch (e) {
      expect((e as ApiError).code).toBe('internal')
      expect((e as ApiError).message).toContain('invalid args')
    }
  })
})
