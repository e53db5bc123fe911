import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { OfferEventRow } from '../queries/insertOfferEvents.ts'

const write = promisify(fs.write)
const fdatasync = promisify(fs.fdatasync)

export interface SealedSegment {
  file: string
  events: OfferEventRow[]
}

const segmentName = /^offer-events-(\d{12})\.ndjson$/

/**
 * An append-only journal of offer events in `dir`, so an event the wallet was answered about survives a
 * crash until it is in ClickHouse. `append` resolves once the events are written and fdatasync'ed; appends
 * made while a write is in flight are written together by the next one (group commit), so a busy second
 * costs a few syncs, not one per request. `seal` closes the current segment file and starts the next; the
 * caller inserts a sealed segment's events and then `remove`s the file. A torn last line (a crash mid-write,
 * never acknowledged) is skipped when segments are read back at start.
 */
export function openEventJournal(dir: string) {
  fs.mkdirSync(dir, { recursive: true })
  const existing = fs
    .readdirSync(dir)
    .filter((f) => segmentName.test(f))
    .sort()
  let seq = existing.length ? Number(segmentName.exec(existing.at(-1) ?? '')?.[1]) + 1 : 1
  const fileOf = (n: number) => path.join(dir, `offer-events-${String(n).padStart(12, '0')}.ndjson`)
  let current = { file: fileOf(seq), fd: fs.openSync(fileOf(seq), 'a'), events: [] as OfferEventRow[] }

  let tail: Promise<void> = Promise.resolve()
  let buffered: OfferEventRow[] = []
  let waiters: { resolve(): void; reject(err: unknown): void }[] = []
  let scheduled = false

  async function writeBuffered(): Promise<void> {
    scheduled = false
    const events = buffered
    const waiting = waiters
    buffered = []
    waiters = []
    try {
      const text = events.map((e) => JSON.stringify(e) + '\n').join('')
      await write(current.fd, text)
      await fdatasync(current.fd)
      current.events.push(...events)
      for (const w of waiting) w.resolve()
    } catch (err) {
      for (const w of waiting) w.reject(err)
    }
  }

  return {
    /** Segments left by an earlier run (crash or stop), oldest first, with their events. */
    leftovers(): SealedSegment[] {
      return existing.map((f) => {
        const file = path.join(dir, f)
        const events: OfferEventRow[] = []
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          if (!line) continue
          try {
            events.push(JSON.parse(line) as OfferEventRow)
          } catch {
            // A torn final line: its request was never answered, so nothing was promised about it.
          }
        }
        return { file, events }
      })
    },
    append(events: OfferEventRow[]): Promise<void> {
      if (events.length === 0) return Promise.resolve()
      buffered.push(...events)
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }))
      if (!scheduled) {
        scheduled = true
        tail = tail.then(writeBuffered)
      }
      return done
    },
    /** Closes the current segment (after any write in flight) and starts the next; undefined when it is empty. */
    seal(): Promise<SealedSegment | undefined> {
      const sealed = tail.then(() => {
        if (current.events.length === 0) return undefined
        fs.closeSync(current.fd)
        const done = { file: current.file, events: current.events }
        seq += 1
        current = { file: fileOf(seq), fd: fs.openSync(fileOf(seq), 'a'), events: [] }
        return done
      })
      tail = sealed.then(() => undefined)
      return sealed
    },
    remove(segment: SealedSegment): void {
      fs.rmSync(segment.file, { force: true })
    },
    async close(): Promise<void> {
      await tail
      fs.closeSync(current.fd)
      if (current.events.length === 0) fs.rmSync(current.file, { force: true })
    },
  }
}
export type EventJournal = ReturnType<typeof openEventJournal>
