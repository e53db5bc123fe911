import path from 'node:path'
import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseSettings,
} from '@clickhouse/client'
import { Session } from 'chdb'
import { createChdbConnection } from 'chdb/connection'
import type { Config } from '../config.ts'
import { carrierColumns, connectionPool, type ClientConnection } from './connectionPool.ts'
import { lockDataDir } from './dataDirLock.ts'
import { memoryTableSql } from './memoryTable.ts'
import { settingsPerStatement, startingSettings } from './statementSettings.ts'

/**
 * Connections to the embedded engine: statements on one connection run in turn, so three let a dashboard
 * query and the next ingest chunk's staging run beside a long insert, without more parallel work than two
 * cores can take (see connectionPool.ts for what still runs one at a time).
 */
const embeddedConnections = 3

/**
 * Long statements beside people waiting for dashboards: their values go in as data on a connection of their
 * own instead of through chdb's process-wide binder (valuesAsData.ts), so a dashboard's statements no longer
 * queue behind them. By log_comment, with the settings they run with there: the ingest's check; a segment
 * refresh and its members' keys, in the background, on one thread so the other core stays with the people
 * waiting (a summary during a refresh at 10M lines: p50 125-130 ms, 184-188 on two threads); a marketer's
 * segment preview (0.2-0.5 s at 10M lines; a summary asked meanwhile took p50 167-182 ms queued behind them,
 * 89-96 beside them, and the previews 5-25 % longer). docs/architecture.md has the figures. A remote
 * server has no such binder and keeps its own settings.
 */
const carriedStatements: ReadonlyMap<string, ClickHouseSettings> = new Map([
  ['ingestTransactionsCheck', {}],
  ['refreshSegmentMembers', { max_threads: 1 }],
  ['buildWeatherSlots', { max_threads: 1 }],
  ['segmentMemberKeys', { max_threads: 1 }],
  ['segmentPreview', {}],
])
/** One carrier table per connection after the first. */
const carrierTables = Array.from({ length: embeddedConnections - 1 }, (_, i) => `statement_values_${i + 1}`)

export interface Db {
  client: ClickHouseClient
  mode: 'embedded' | 'remote'
  /** Set in cluster mode: migrations emit ON CLUSTER DDL with Replicated/Distributed tables. */
  cluster: string | undefined
  /** Database that holds our tables ('default' for the embedded engine). */
  database: string
  /** Directory the engine may read files from with file(); undefined for a remote server. */
  dataDir: string | undefined
  close(): Promise<void>
}

/** Settings every query runs with: exact numbers in JSON results, and 64-bit counts as JSON numbers. */
const sessionSettings: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 0,
  output_format_json_quote_decimals: 0,
  date_time_input_format: 'best_effort',
}

/**
 * No JIT compilation in the embedded engine. The engine compiles an expression, aggregate or sort the
 * third time it sees it, and the statement that triggers it pays the compilation: at 100M lines every
 * insights route's fourth call took 100-170 ms longer (summary 181 against 53-60 ms, by product 148
 * against 37-44), after every start of the app. Without it no call has that spike and steady calls are as
 * fast (summary 51-58 ms, by product 37-47), except sales by time by hour and weekday at 40-55 against
 * 35-37 ms (2026-11-30, docs/benchmarks.md). A server keeps its compiled code for its whole life, so a
 * remote one keeps the engine's default.
 */
const embeddedSettings: ClickHouseSettings = {
  compile_expressions: 0,
  compile_aggregate_expressions: 0,
  compile_sort_description: 0,
}

/**
 * JIT back on for one statement: the ingest's check and insert, long statements run once per chunk whose
 * compiled expressions hold fewer whole intermediate columns (four concurrent 47 MB loads admitted one at a
 * time peaked at 8.9-9.2 chunks of memory above the ready server so, 9.7 with JIT on every statement, 10.3
 * with none; test/db/ingestConcurrency.test.ts bounds it at 12), and whose one compilation per shape is paid
 * by a load, not by a person waiting.
 */
export const compiledStatement: ClickHouseSettings = {
  compile_expressions: 1,
  compile_aggregate_expressions: 1,
  compile_sort_description: 1,
}

/**
 * An insert that fills rollup views. The views of a block are filled side by side
 * (`parallel_view_processing`): a 100,000-line insert took 420-520 ms against 620-700 ms one view after
 * another (2026-11-30, idle; more insert threads measured no faster and make more parts). And each part is
 * written as its block comes (`optimize_on_insert = 0`): the engine's default merges a block's rows of one
 * sorting key as it writes the part, which every view's block, grouped by that key already, never has, yet
 * it paid for the pass (each bitmap state copied into a new one): the views' CPU fell by a tenth (inserting
 * 100,000 stored lines five times into copies of transactions and its views, nine rounds each way,
 * 2026-12-02). Rows of one key in one part are what two inserts make anyway: merges and every read
 * aggregate them.
 */
export const rollupInsert: ClickHouseSettings = {
  parallel_view_processing: 1,
  optimize_on_insert: 0,
}

/**
 * Server configuration of the embedded engine, given when the first connection starts it (the others join
 * it). Background merges and mutations run at nice 10: right after a large load the engine merges its
 * parts for minutes on both cores, and a person waiting for a dashboard should not wait behind that. The
 * kernel still gives the merges every idle moment; a merge only yields while a statement wants the core.
 * It needs CAP_SYS_NICE (the engine checks, and sets nothing without it): where the app runs without it,
 * merges keep the engine's priority. docs/benchmarks.md has the figures.
 */
const embeddedEngineArgs = ['--os_threads_nice_value_merge_mutate=10']

export type DbOptions =
  | { mode: 'embedded'; dataDir: string }
  | {
      mode: 'remote'
      url: string
      user: string
      password: string
      database: string
      cluster?: string | undefined
    }

export async function createDb(options: DbOptions): Promise<Db> {
  if (options.mode === 'embedded') {
    const dataDir = path.resolve(options.dataDir)
    const { engine, connections } = await lockDataDir(dataDir, (engineDir) => {
      const started = new Session(engineDir, { connectionArgs: embeddedEngineArgs })
      return {
        engine: started,
        connections: Array.from({ length: embeddedConnections }, () =>
          createChdbConnection({ path: engineDir }),
        ),
      }
    })
    // chdb types its connections against its own copy of @clickhouse/client-common; the shapes are equal.
    const opened = connections as unknown as ClientConnection[]
    const started = await startingSettings(opened[0] as ClientConnection)
    const client = createClient({
      connection: connectionPool(
        opened.map((c) => settingsPerStatement(c, started)),
        {
          statements: carriedStatements,
          tables: carrierTables,
        },
      ),
      clickhouse_settings: { ...sessionSettings, ...embeddedSettings },
    })
    // Memory tables: the values are gone with the process, and each is emptied after its statement.
    for (const table of carrierTables) {
      await client.command({ query: `DROP TABLE IF EXISTS ${table}` })
      await client.command({ query: memoryTableSql(table, carrierColumns) })
    }
    return {
      client,
      mode: 'embedded',
      cluster: undefined,
      database: 'default',
      dataDir,
      async close() {
        await client.close()
        engine.close()
      },
    }
  }
  // The database may not exist yet; create it through a client bound to 'default' first.
  const bootstrap = createClient({ url: options.url, username: options.user, password: options.password })
  const onCluster = options.cluster ? ` ON CLUSTER \`${options.cluster}\`` : ''
  try {
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS \`${options.database}\`${onCluster}` })
  } finally {
    await bootstrap.close()
  }
  const client = createClient({
    url: options.url,
    username: options.user,
    password: options.password,
    database: options.database,
    // A long insert sends progress headers so load balancers in between do not close its idle connection.
    clickhouse_settings: {
      ...sessionSettings,
      send_progress_in_http_headers: 1,
      http_headers_progress_interval_ms: '110000',
    },
    request_timeout: 300_000,
    // Every failed statement is thrown to its caller, which answers or logs it (at LOG_LEVEL); the client's
    // own console log would print each again, expected ones too (a malformed upload's broken record).
    log: { level: ClickHouseLogLevel.OFF },
  })
  return {
    client,
    mode: 'remote',
    cluster: options.cluster,
    database: options.database,
    dataDir: undefined,
    close: () => client.close(),
  }
}

export function dbOptionsFromConfig(config: Config): DbOptions {
  const ch = config.clickhouse
  return ch.mode === 'embedded' ? { mode: 'embedded', dataDir: config.dataDir } : ch
}
