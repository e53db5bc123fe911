import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSegmentMembership } from '../../server/segments/segmentMembership.ts'
import { createTestDb } from '../support/testDb.ts'

// Refreshes after ingest batches wait for a quiet moment, so a client sending batches one after another
// does not queue each of them behind a refresh of every segment.
let db: Awaited<ReturnType<typeof createTestDb>>

beforeAll(async () => {
  db = await createTestDb()
})
afterAll(() => db.cleanup())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until(done: () => boolean, ms: number): Promise<void> {
  for (const started = Date.now(); !done() && Date.now() - started < ms;) await sleep(20)
}

describe('segment membership after ingest batches', () => {
  it('refreshes once a burst of batches has been quiet for quietMs, not after each batch', async () => {
    const membership = createSegmentMembership(db, {
      limits: { rangeDays: 1100 },
      afterIngest: { quietMs: 1500, maxWaitMs: 60_000 },
    })
    expect(membership.refreshedAt()).toBeUndefined()
    for (let batch = 0; batch < 6; batch++) {
      membership.refreshAfterIngest()
      await sleep(100)
    }
    // 600 ms of batches 100 ms apart: still within the burst, nothing refreshed yet.
    expect(membership.refreshedAt()).toBeUndefined()
    await until(() => membership.refreshedAt() !== undefined, 10_000)
    const first = membership.refreshedAt()
    expect(first).toBeDefined()
    // Quiet since: no second refresh without a new batch.
    await sleep(1800)
    expect(membership.refreshedAt()).toBe(first)
  })

  it('refreshes at least every maxWaitMs while batches keep coming', async () => {
    const membership = createSegmentMembership(db, {
      limits: { rangeDays: 1100 },
      afterIngest: { quietMs: 5000, maxWaitMs: 500 },
    })
    const started = Date.now()
    while (membership.refreshedAt() === undefined && Date.now() - started < 4000) {
      membership.refreshAfterIngest()
      await sleep(100)
    }
    // A batch every 100 ms never leaves 5 s of quiet: only the 500 ms bound can have refreshed it.
    expect(membership.refreshedAt()).toBeDefined()
  })
})
