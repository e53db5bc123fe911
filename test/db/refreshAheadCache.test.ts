import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createRefreshAheadCache } from '../../server/refreshAheadCache.ts'

/** A load that counts its calls and answers, after `ms`, what `answer()` said when it started. */
function counted(answer: () => string | Error, ms = 20) {
  const load = async () => {
    load.calls++
    const value = answer()
    await sleep(ms)
    if (value instanceof Error) throw value
    return value
  }
  load.calls = 0
  return load
}

describe('refresh-ahead cache', () => {
  it('shares one read among the requests of a key, also on a miss', async () => {
    const cache = createRefreshAheadCache({ ttlMs: 5_000 })
    const load = counted(() => 'a')
    expect(await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)])).toEqual([
      'a',
      'a',
      'a',
    ])
    expect(await cache.get('k', load)).toBe('a')
    expect(load.calls).toBe(1)
  })

  it('serves the kept answer past half its life while one read replaces it behind', async () => {
    const cache = createRefreshAheadCache({ ttlMs: 1_000 })
    let now = 'old'
    const load = counted(() => now, 50)
    expect(await cache.get('k', load)).toBe('old')
    now = 'new'
    await sleep(550)
    expect(await cache.get('k', load)).toBe('old')
    expect(await cache.get('k', load)).toBe('old')
    expect(load.calls).toBe(2)
    await sleep(200)
    expect(await cache.get('k', load)).toBe('new')
    expect(load.calls).toBe(2)
  })

  it('keeps no failed read, and a write that clears wins over a read that was running', async () => {
    const cache = createRefreshAheadCache({ ttlMs: 1_000 })
    let answer: string | Error = new Error('down')
    const load = counted(() => answer)
    await expect(cache.get('k', load)).rejects.toThrow('down')
    answer = 'up'
    expect(await cache.get('k', load)).toBe('up')
    expect(load.calls).toBe(2)

    await sleep(550)
    answer = 'stale'
    expect(await cache.get('k', load)).toBe('up') // starts a background read
    cache.clear()
    answer = 'written'
    expect(await cache.get('k', load)).toBe('written')
    await sleep(50) // the background read ends: it must not replace the newer answer
    expect(await cache.get('k', load)).toBe('written')
  })

  it('reads again once the answer has expired, and keeps the new one', async () => {
    const cache = createRefreshAheadCache({ ttlMs: 200 })
    let now = 'first'
    const load = counted(() => now, 0)
    expect(await cache.get('k', load)).toBe('first')
    now = 'second'
    await sleep(250)
    expect(await cache.get('k', load)).toBe('second')
    expect(await cache.get('k', load)).toBe('second')
    expect(load.calls).toBe(2)
  })

  it('forgets everything past maxEntries keys', async () => {
    const cache = createRefreshAheadCache({ ttlMs: 5_000, maxEntries: 2 })
    const load = counted(() => 'v', 0)
    await cache.get('a', load)
    await cache.get('b', load)
    await cache.get('a', load)
    expect(load.calls).toBe(2)
    await cache.get('c', load)
    await cache.get('a', load)
    expect(load.calls).toBe(4)
  })
})
