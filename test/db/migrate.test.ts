import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../../server/db/createDb.ts'
import { ddlFor, migrate, readMigrations } from '../../server/db/migrate.ts'
import { derivedMismatches } from '../support/derivedConsistency.ts'
import { insertLines } from '../support/insightsFixture.ts'
import { createTestDb, insertStores, rows, storeRow, testStore } from '../support/testDb.ts'

let db: Awaited<ReturnType<typeof createTestDb>>
beforeAll(async () => {
  db = await createTestDb()
})
afterAll(() => db.cleanup())

describe('migrate', () => {
  it('applies every migration once and records it', async () => {
    const recorded = await rows<{ version: number }>(
      db,
      'SELECT version FROM schema_migrations FINAL ORDER BY version',
    )
    expect(recorded.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version))
    expect(await migrate(db)).toEqual([])
  })

  it('creates the core tables with tenant-first sorting keys', async () => {
    const tables = await rows<{ name: string; sorting_key: string }>(
      db,
      `SELECT name, sorting_key FROM system.tables WHERE database = currentDatabase() ORDER BY name`,
    )
    const keys = Object.fromEntries(tables.map((t) => [t.name, t.sorting_key]))
    expect(keys.transactions).toMatch(/^merchant_id, /)
    expect(keys.stores).toBe('merchant_id, store_id')
    expect(keys.api_keys).toMatch(/^merchant_id, /)
    for (const table of [
      'merchants',
      'weather_observations',
      'fx_rates',
      'ingest_batches',
      'ingest_rejects',
    ]) {
      expect(keys).toHaveProperty(table)
    }
  })

  it('refuses a migration whose file changed after it was applied', async () => {
    const [first, ...rest] = readMigrations()
    await expect(migrate(db, [{ ...first!, checksum: 'changed' }, ...rest])).rejects.toThrow(/was changed/)
  })

  it('generates cluster DDL that the engine parses, statement by statement', async () => {
    const cluster = { cluster: 'tillsight_cluster', database: 'tillsight' }
    const statements = readMigrations().flatMap((m) => m.statements.flatMap((s) => ddlFor(cluster, s)))
    expect(
      statements.some((s) =>
        /ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/tillsight\/transactions_local', '\{replica\}'\)/.test(
          s,
        ),
      ),
    ).toBe(true)
    expect(statements).toContain(
      'CREATE TABLE IF NOT EXISTS transactions ON CLUSTER `tillsight_cluster` AS transactions_local\nENGINE = Distributed(`tillsight_cluster`, tillsight, transactions_local, cityHash64(merchant_id))',
    )
    for (const statement of statements) {
      const [parsed] = await rows<{ q: string }>(db, 'SELECT formatQuery({s:String}) AS q', { s: statement })
      // A backfill runs once through the Distributed tables; everything else is DDL on every node.
      if (statement.startsWith('INSERT INTO ')) expect(parsed?.q).toMatch(/^INSERT INTO \w+ SELECT/)
      else expect(parsed?.q).toContain('ON CLUSTER')
    }
    expect(ddlFor(cluster, 'ALTER TABLE transactions ADD COLUMN x UInt8')).toEqual([
      'ALTER TABLE transactions_local ON CLUSTER `tillsight_cluster` ADD COLUMN x UInt8',
      'ALTER TABLE transactions ON CLUSTER `tillsight_cluster` ADD COLUMN x UInt8',
    ])
    const view = ddlFor(
      cluster,
      'CREATE MATERIALIZED VIEW IF NOT EXISTS mv TO rollup AS SELECT a FROM transactions',
    )
    expect(view).toEqual([
      'CREATE MATERIALIZED VIEW IF NOT EXISTS mv ON CLUSTER `tillsight_cluster` TO rollup_local AS SELECT a FROM transactions_local',
    ])
    await rows(db, 'SELECT formatQuery({s:String})', { s: view[0] })
    // A replicated table takes a mutation from a subquery (migration 0130's flags) only when allowed.
    expect(
      ddlFor(
        cluster,
        'ALTER TABLE transactions UPDATE x = n IN (SELECT n FROM t) WHERE true SETTINGS mutations_sync = 2',
      ),
    ).toEqual([
      'ALTER TABLE transactions_local ON CLUSTER `tillsight_cluster` UPDATE x = n IN (SELECT n FROM t) WHERE true SETTINGS allow_nondeterministic_mutations = 1, mutations_sync = 2',
    ])
    expect(ddlFor(cluster, 'ALTER TABLE transactions DELETE WHERE n IN (SELECT n FROM t)')).toEqual([
      'ALTER TABLE transactions_local ON CLUSTER `tillsight_cluster` DELETE WHERE n IN (SELECT n FROM t) SETTINGS allow_nondeterministic_mutations = 1',
    ])
    expect(
      statements.some((s) => s.includes('UPDATE') && s.includes('allow_nondeterministic_mutations = 1')),
    ).toBe(true)
    expect(ddlFor(cluster, 'DROP VIEW IF EXISTS mv')).toEqual([
      'DROP VIEW IF EXISTS mv ON CLUSTER `tillsight_cluster` SYNC',
    ])
    expect(ddlFor(cluster, 'DROP TABLE IF EXISTS rollup')).toEqual([
      'DROP TABLE IF EXISTS rollup ON CLUSTER `tillsight_cluster` SYNC',
      'DROP TABLE IF EXISTS rollup_local ON CLUSTER `tillsight_cluster` SYNC',
    ])
  })

  it('creates the sales rollups of sums and their views, nothing else named sales*', async () => {
    const tables = await rows<{ name: string }>(
      db,
      `SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'sales%' ORDER BY name`,
    )
    expect(tables.map((t) => t.name)).toEqual([
      'sales_product_daily',
      'sales_product_daily_mv',
      'sales_store_daily',
      'sales_store_daily_mv',
      'sales_store_hourly',
      'sales_store_hourly_mv',
    ])
  })

  it('fills the daily store rollup from the stored hours once, however often its migration runs', async () => {
    const sale = { store: 's1', product: 'latte', qty: '1', amount: '3.50' }
    await insertLines(db, [
      { ...sale, tx: 'a', at: '2024-03-02 03:00:00', local: '2024-03-01 22:00:00' },
      { ...sale, tx: 'b', at: '2024-03-02 17:00:00', local: '2024-03-02 12:00:00' },
      { ...sale, tx: 'b', line: 2, at: '2024-03-02 17:00:00', local: '2024-03-02 12:00:00' },
    ])
    const daily = `SELECT toString(local_day) AS day, toString(utc_day) AS utc, toString(sum(amount)) AS amount,
                          sum(baskets) AS baskets FROM sales_store_daily GROUP BY ALL ORDER BY ALL`
    const fromLines = await rows(
      db,
      `SELECT toString(toDate(local_at)) AS day, toString(toDate(occurred_at)) AS utc,
              toString(sum(toDecimal128(amount, 4))) AS amount, sum(basket_first) AS baskets
       FROM transactions WHERE status = 'completed' GROUP BY ALL ORDER BY ALL`,
    )
    expect(fromLines).toHaveLength(2)
    expect(await rows(db, daily)).toEqual(fromLines)
    // A start-up killed after the backfill, before the migration was recorded, runs it again.
    const [backfill] = readMigrations().filter((m) => m.name === '0210_sales_store_daily')
    for (let run = 0; run < 2; run++)
      for (const statement of backfill?.statements ?? [])
        for (const ddl of ddlFor(db, statement)) await db.client.command({ query: ddl })
    expect(await rows(db, daily)).toEqual(fromLines)
  })
})

describe("the merchant's customer bitmaps in small granules (migrations 0220, 0230)", () => {
  it('moves the stored bitmaps once, however often the move runs, and drops the old tables after', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-migrate-'))
    // Another engine in this process must close first (one data dir at a time).
    await db.cleanup()
    const old = await createDb(testStore(dir).options)
    try {
      const all = readMigrations()
      await migrate(
        old,
        all.filter((m) => m.version < 220),
      )
      await insertStores(old, [
        storeRow('cafe', 's1', 40.7, -74, 'America/New_York', 'USD', { country: 'US', city: 'New York' }),
      ])
      const sale = { store: 's1', product: 'latte', qty: '1', amount: '3.50', home: 'FR' }
      await insertLines(old, [
        { ...sale, tx: 'a', customer: 'ann', at: '2024-03-02 03:00:00', local: '2024-03-01 22:00:00' },
        { ...sale, tx: 'b', customer: 'bob', at: '2024-03-02 17:00:00', local: '2024-03-02 12:00:00' },
        { ...sale, tx: 'c', customer: 'ann', at: '2024-04-02 17:00:00', local: '2024-04-02 12:00:00' },
      ])
      // A start-up killed after the copy, before 0220 was recorded, runs it again.
      const [move] = all.filter((m) => m.version === 220)
      for (const statement of move?.statements ?? [])
        for (const ddl of ddlFor(old, statement)) await old.client.command({ query: ddl })
      await migrate(old, all)
      const tables = await rows<{ name: string; ddl: string }>(
        old,
        `SELECT name, create_table_query AS ddl FROM system.tables
         WHERE database = currentDatabase() AND name LIKE '%merchant\\_%' AND engine LIKE '%MergeTree' ORDER BY name`,
      )
      expect(tables.map((t) => t.name)).toEqual([
        'merchant_customers_daily',
        'merchant_customers_hourly',
        'merchant_customers_monthly',
      ])
      for (const t of tables) expect(t.ddl).toContain('index_granularity = 1024')
      // Copied once: one row per key, as the one insert of the lines wrote them (a second copy would add
      // a row per key, which a union would hide from the counts).
      const [copies] = await rows<{ rows: number; keys: number }>(
        old,
        `SELECT count() AS rows, uniqExact(hour_utc, local_day, home_country, known, tourist) AS keys
         FROM merchant_customers_hourly`,
      )
      expect(copies?.keys).toBe(3)
      expect(copies?.rows).toBe(copies?.keys)
      expect(await derivedMismatches(old, 'cafe', { from: '2024-03-01', to: '2024-04-30' })).toEqual([])
      // The new views fill them.
      await insertLines(old, [
        { ...sale, tx: 'd', customer: 'cy', at: '2024-04-03 17:00:00', local: '2024-04-03 12:00:00' },
      ])
      expect(await derivedMismatches(old, 'cafe', { from: '2024-03-01', to: '2024-04-30' })).toEqual([])
      const [counted] = await rows<{ n: number }>(
        old,
        `SELECT bitmapCardinality(groupBitmapMergeState(customers)) AS n FROM merchant_customers_hourly`,
      )
      expect(counted?.n).toBe(3)
    } finally {
      if (old.mode === 'remote')
        await old.client.command({ query: `DROP DATABASE IF EXISTS ${old.database}` })
      await old.close()
      fs.rmSync(dir, { recursive: true, force: true })
      db = await createTestDb()
    }
  })
})
