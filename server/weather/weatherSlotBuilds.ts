import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Db } from '../db/createDb.ts'
import { sharedDataVersion } from '../queries/dataVersion.ts'
import type { SlotsLease } from '../queries/salesByWeather.ts'
import {
  buildWeatherSlots,
  dropWeatherSlots,
  dropWeatherSlotsBut,
  recordedWeatherSlots,
  recordWeatherSlots,
  slotsSourceAndDataVersion,
  slotsSourceVersion,
} from '../queries/weatherSlots.ts'

export interface WeatherSlotBuilds {
  /**
   * The current build, held until released, when it was made from the store rollup as it is now; else
   * undefined (the caller computes the slots) and a build is scheduled. `dataVersion`, when the caller
   * read it just before (the answer cache's), spares a second look at the parts while it is unchanged.
   */
  lease(dataVersion?: string): Promise<SlotsLease | undefined>
  /** Lines were stored: a build once no batch has stored lines for `quietMs` and none is running. */
  refreshAfterIngest(): void
  /** Ingest batches of this process, begun and ended: no build starts while one runs. */
  ingestActivity: { started(): void; ended(): void }
  /** Builds now (after any build in flight); resolves when done. */
  refresh(): Promise<void>
  /**
   * At start, by the process that owns the store (before any lease or build): takes the last recorded
   * build as current when what it was built from is unchanged, and drops every other build.
   */
  adoptRecorded(): Promise<boolean>
  /** Stops scheduling and waits for a build in flight (before the engine closes). */
  close(): Promise<void>
}

interface Build {
  id: string
  /** slotsSourceVersion when the build began and ended. */
  version: string
  readers: number
  retired: boolean
}

/** A random UInt64, as decimal text. */
const newBuildId = () => BigInt(`0x${randomBytes(8).toString('hex')}`).toString()

/**
 * The kept builds of weather_slots (sales by weather's slots with their neighbours' sums, see
 * server/queries/weatherSlots.ts): derived state that never answers for data it was not built from.
 *   - A build records the rollup's version before and after it ran; if they differ, lines arrived while
 *     it read and it is dropped unused.
 *   - A reader gets the build only when the version of what it was built from (the store rollup, the
 *     weather observations, the stores) now is the build's, so new lines, late lines, erasures, weather
 *     loads and moved stores send readers to the computed path until the next build.
 *   - A build that was never finished (a crash) is never current: a build is recorded (weather_slot_builds)
 *     only once its rows are written and the rollup's version checked, and at start the process that owns
 *     the store (main.ts, embedded) reads the recorded build again only when its slots are all there and
 *     what it was built from has the version it was built from; every other build is dropped. Elsewhere
 *     (a server shared by processes) which build is current is kept in memory only.
 *   - A replaced build is dropped once its last reader released it.
 * On a cluster nothing is kept (dropping a partition would need the local tables): every answer computes.
 */
export function createWeatherSlotBuilds(
  db: Db,
  options: { logger?: Logger | undefined; quietMs?: number | undefined } = {},
): WeatherSlotBuilds {
  const quietMs = options.quietMs ?? 2000
  const enabled = !db.cluster
  // Only the process that owns an embedded store records its builds to read them again after a restart.
  const durable = db.mode === 'embedded'
  let current: Build | undefined
  let running: Promise<void> | undefined
  let again = false
  let timer: NodeJS.Timeout | undefined
  let lastIngest = 0
  // Batches running now: a build beside them would compete for the cores and be dropped when they store.
  let batches = 0
  let waitingForBatches = false
  let closed = false
  // Readers arriving together share one version query; it reads dataVersion beside, and while the
  // caller's dataVersion is the one read with it, the source version is unchanged.
  const versionsNow = sharedDataVersion(db, slotsSourceAndDataVersion)
  let seen: { source: string; data: string } | undefined
  async function sourceVersionNow(dataVersion: string | undefined): Promise<string> {
    if (dataVersion !== undefined && seen?.data === dataVersion) return seen.source
    const read = await versionsNow()
    seen = read
    return read.source
  }

  const drop = (build: Build) =>
    dropWeatherSlots(db, build.id).catch((err: unknown) =>
      options.logger?.error({ err, build: build.id }, 'dropping a weather slots build failed'),
    )

  async function buildOnce(): Promise<void> {
    const before = await slotsSourceVersion(db)
    if (current?.version === before) return
    const build: Build = { id: newBuildId(), version: before, readers: 0, retired: false }
    const started = performance.now()
    try {
      await buildWeatherSlots(db, build.id)
    } catch (err) {
      await drop(build)
      throw err
    }
    if ((await slotsSourceVersion(db)) !== before) {
      // Lines arrived while it read: not a picture of any one version.
      options.logger?.info(
        { ms: Math.round(performance.now() - started) },
        'weather slots build dropped: lines arrived',
      )
      await drop(build)
      schedule()
      return
    }
    options.logger?.info({ ms: Math.round(performance.now() - started) }, 'weather slots built')
    const replaced = current
    current = build
    if (replaced) {
      replaced.retired = true
      if (replaced.readers === 0) await drop(replaced)
    }
    // Recorded once it answers, so the record (one more bound statement) never delays its use. Unrecorded,
    // the build still answers in this process; a restart then finds only an older record, of another
    // version or of a dropped build, and reads nothing.
    if (durable)
      await recordWeatherSlots(db, build.id, before).catch((err: unknown) =>
        options.logger?.error({ err, build: build.id }, 'recording a weather slots build failed'),
      )
  }

  function refresh(): Promise<void> {
    if (!enabled || closed) return Promise.resolve()
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      try {
        do {
          again = false
          await buildOnce()
        } while (again && !closed)
      } finally {
        running = undefined
      }
    })()
    return running
  }

  /** A build once the lines have been quiet for quietMs (a build reading while lines arrive is wasted). */
  function schedule(): void {
    if (!enabled || closed || timer) return
    const wait = Math.max(0, lastIngest + quietMs - Date.now())
    timer = setTimeout(() => {
      timer = undefined
      if (batches > 0) {
        waitingForBatches = true
        return
      }
      if (Date.now() < lastIngest + quietMs) {
        schedule()
        return
      }
      refresh().catch((err: unknown) => options.logger?.error({ err }, 'weather slots build failed'))
    }, wait)
    timer.unref()
  }

  return {
    async lease(dataVersion?: string) {
      const build = current
      if (!build || build.retired) {
        schedule()
        return undefined
      }
      build.readers += 1
      let released = false
      const release = () => {
        if (released) return
        released = true
        build.readers -= 1
        if (build.retired && build.readers === 0) void drop(build)
      }
      try {
        if ((await sourceVersionNow(dataVersion)) === build.version && !build.retired)
          return { build: build.id, release }
      } catch (err) {
        release()
        throw err
      }
      release()
      schedule()
      return undefined
    },
    refreshAfterIngest() {
      lastIngest = Date.now()
      if (timer) {
        clearTimeout(timer)
        timer = undefined
      }
      schedule()
    },
    ingestActivity: {
      started() {
        batches += 1
      },
      ended() {
        batches -= 1
        if (batches === 0 && waitingForBatches) {
          waitingForBatches = false
          lastIngest = Date.now()
          schedule()
        }
      },
    },
    refresh,
    async adoptRecorded() {
      if (!enabled || !durable) return false
      const recorded = await recordedWeatherSlots(db)
      const adopted =
        recorded && recorded.sourceVersion === (await slotsSourceVersion(db)) ? recorded : undefined
      await dropWeatherSlotsBut(db, adopted?.build)
      if (adopted) current = { id: adopted.build, version: adopted.sourceVersion, readers: 0, retired: false }
      options.logger?.info(
        { build: adopted?.build, slots: adopted?.slots },
        adopted ? 'weather slots kept from the last run' : 'no weather slots kept from the last run',
      )
      return adopted !== undefined
    },
    async close() {
      closed = true
      clearTimeout(timer)
      timer = undefined
      await running?.catch(() => undefined)
    },
  }
}
