import { describe, expect, it } from 'vitest'
import { createIngestAdmission } from '../../server/ingestAdmission.ts'

describe('ingest admission', () => {
  it('runs at most `concurrent` batches, hands a freed slot to the first waiter, and turns away after waitMs', async () => {
    const admission = createIngestAdmission({ concurrent: 2, waitMs: 200 })
    const first = await admission.admit()
    const second = await admission.admit()
    expect(first).toBeTypeOf('function')
    expect(second).toBeTypeOf('function')
    const order: string[] = []
    const third = admission.admit().then((release) => (order.push('third'), release))
    const fourth = admission.admit().then((release) => (order.push('fourth'), release))
    first?.()
    first?.() // a second release of the same slot frees nothing more
    const thirdRelease = await third
    expect(thirdRelease).toBeTypeOf('function')
    expect(order).toEqual(['third'])
    // The fourth still waits: two slots, two batches running (second and third).
    expect(await fourth).toBeUndefined()
    thirdRelease?.()
    second?.()
    // Both slots are free again.
    expect(await admission.admit()).toBeTypeOf('function')
    expect(await admission.admit()).toBeTypeOf('function')
    expect(await admission.admit()).toBeUndefined()
  })
})
