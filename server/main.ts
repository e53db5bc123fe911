import type { Server } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { createApp } from './app.ts'
import { seedAdminKey } from './auth/seedAdminKey.ts'
import { parseConfig } from './config.ts'
import { createDb, dbOptionsFromConfig } from './db/createDb.ts'
import { migrate } from './db/migrate.ts'
import { repairAtStart } from './db/derivedRepairs.ts'
import { isStoreEmpty } from './demo/isStoreEmpty.ts'
import { loadDemoData } from './demo/loadDemoData.ts'
import { createWalletService, type WalletService } from './wallet/walletService.ts'
import { createWeatherSlotBuilds, type WeatherSlotBuilds } from './weather/weatherSlotBuilds.ts'
import { createSegmentMembership, type SegmentMembership } from './segments/segmentMembership.ts'
import { ensureWebBuilt } from './webBuild.ts'
import { dropStaleStaging, resetSpool } from '../pipelines/stageChunk.ts'
import { loadPseudonymKey } from '../pipelines/pseudonymKey.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

async function main(): Promise<void> {
  const started = performance.now()
  const config = parseConfig(process.env)
  const logger = pino({ level: config.logLevel })
  const say = (message: string) => console.log(`tillsight: ${message}`)

  const db = await createDb(dbOptionsFromConfig(config))
  let closing = false
  let server: Server | undefined
  let wallet: WalletService | undefined
  let weatherSlots: WeatherSlotBuilds | undefined
  let segmentMembership: SegmentMembership | undefined
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    say(`${signal} received, shutting down`)
    server?.close()
    await wallet?.close()
    await weatherSlots?.close()
    // Background statements finish before the engine closes (they logged "ChdbConnection is closed").
    await segmentMembership?.close()
    await db.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  await migrate(db)
  // Before anything reads or writes: months an interrupted load may have left half-derived.
  await repairAtStart(db, say)
  await dropStaleStaging(db)
  const spoolDir = db.mode === 'embedded' ? resetSpool(config.dataDir) : undefined
  const admin = await seedAdminKey(db, config.adminApiKey, config.dataDir)
  if (config.demo && (await isStoreEmpty(db))) {
    const loaded = await loadDemoData(db, { lines: config.demoLines })
    say(
      `loaded demo data: ${loaded.lines} lines in ${(loaded.ms / 1000).toFixed(1)} s (${Math.round(loaded.lines / Math.max(loaded.ms / 1000, 0.001))} rows/s)`,
    )
  }
  const webDir = config.web ? await ensureWebBuilt(root, say) : undefined

  const pseudonymKey = loadPseudonymKey(config.pseudonymKey, config.dataDir)
  // Membership is derived from the lines: recomputed whole at start (repairing whatever a crash left), after
  // ingest batches (the ingest route asks), and on a schedule (SEGMENT_REFRESH_SECONDS).
  const membership = createSegmentMembership(db, { limits: config.limits, logger })
  segmentMembership = membership
  await membership.refresh()
  setInterval(() => {
    membership.refresh().catch((err: unknown) => {
      logger.error({ err }, 'scheduled segment membership refresh failed')
    })
  }, config.segmentRefreshSeconds * 1000).unref()
  // Wallet events are journaled in DATA_DIR before a wallet is answered; start() replays what a crash left.
  wallet = createWalletService({
    db,
    pseudonymKey,
    journalDir: path.join(config.dataDir, 'wallet-journal'),
    segments: membership,
    onFlushError: (err) => logger.error({ err }, 'wallet events not yet in ClickHouse; kept in the journal'),
  })
  await wallet.start()
  // Weather's slots with their neighbours' sums, built in the background; until then weather computes them.
  weatherSlots = createWeatherSlotBuilds(db, { logger })
  // The last run's build, if what it was built from is unchanged (every other build is dropped).
  await weatherSlots.adoptRecorded()
  weatherSlots.refresh().catch((err: unknown) => logger.error({ err }, 'weather slots build failed'))
  const app = createApp({
    db,
    logger,
    limits: config.limits,
    pseudonymKey,
    spoolDir,
    webDir,
    segmentMembership: membership,
    weatherSlots,
    wallet,
  })
  const listening = app.listen(config.port, config.host)
  server = listening
  await new Promise<void>((resolve, reject) => {
    listening.once('listening', resolve)
    listening.once('error', reject)
  })
  const address = listening.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`
  say(
    `ready in ${Math.round(performance.now() - started)} ms on ${db.mode === 'embedded' ? `embedded ClickHouse in ${path.resolve(config.dataDir)}` : 'ClickHouse at ' + (config.clickhouse.mode === 'remote' ? config.clickhouse.url : '')}`,
  )
  say(config.web ? `dashboard: ${url}` : `API: ${url}api/v1 (dashboard off: WEB=0)`)
  say(
    admin.source === 'ADMIN_API_KEY'
      ? 'sign in with the key in ADMIN_API_KEY'
      : `sign in with the admin key ${admin.key} (kept in ${admin.file})`,
  )
}

main().catch((err: unknown) => {
  console.error(`tillsight: cannot start: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
