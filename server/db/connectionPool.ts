import { valuesAsData } from './valuesAsData.ts'
import type { ClickHouseSettings, createClient } from '@clickhouse/client'

export type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

export interface CarriedStatements {
  /**
   * Statements (by log_comment) whose values go in as data (valuesAsData.ts), not through the binder, with
   * settings they run with when carried.
   */
  statements: ReadonlyMap<string, ClickHouseSettings>
  /** Carrier tables, one per connection after the first (its index - 1), of carrierColumns, Memory engine. */
  tables: readonly string[]
}

/** The columns of a carrier table: a value's name, its place in an array, its text. */
export const carrierColumns = { name: 'String', i: 'UInt32', value: 'String' } as const

/**
 * Several connections to the one embedded engine behind the client's single connection. A chdb connection
 * runs its statements one at a time, so with one connection a dashboard query waits behind an ingest
 * insert; connections to the same path share the engine and its tables.
 *
 * Statements with bound parameters run one at a time across the whole process anyway (chdb's parameter
 * binder is process-wide: chdb-io/chdb-node#51), so they all take the first connection, in order, as they
 * did when there was only one. Statements that bind nothing take the least busy of the others: those are
 * what runs side by side (an ingest insert beside the next chunk's check, DDL, ledger writes). Carried
 * statements (long ones in the background) bind nothing either: their values go in as data
 * (valuesAsData.ts) and they run on another connection, so dashboards do not wait for them.
 */
export function connectionPool(
  connections: ClientConnection[],
  carried?: CarriedStatements,
): ClientConnection {
  const busy = connections.map(() => 0)
  // One statement at a time uses a connection's carrier table: it is filled, read and emptied in turn.
  const carrierTurns = connections.map(() => Promise.resolve())
  // Whether a carrier table may hold values: from the start (a store's Memory table is empty when it
  // opens, but this costs one statement), and after a statement whose emptying failed.
  const carrierHeld = connections.map(() => true)
  async function on<T>(bound: boolean, work: (connection: ClientConnection) => Promise<T>): Promise<T> {
    const pick = bound ? 0 : leastBusy()
    return onConnection(pick, work)
  }
  function leastBusy(): number {
    let pick = connections.length > 1 ? 1 : 0
    for (let i = 2; i < connections.length; i++) if ((busy[i] ?? 0) < (busy[pick] ?? 0)) pick = i
    return pick
  }
  async function onConnection<T>(
    pick: number,
    work: (connection: ClientConnection) => Promise<T>,
  ): Promise<T> {
    const connection = connections[pick]
    if (!connection) throw new Error('the connection pool is empty')
    busy[pick] = (busy[pick] ?? 0) + 1
    try {
      return await work(connection)
    } finally {
      busy[pick] = (busy[pick] ?? 1) - 1
    }
  }
  type Statement = Parameters<ClientConnection['command']>[0]
  /**
   * A bound statement: through the binder on the first connection, or, when it is one of the carried
   * statements and its values can be written as data, unbound on the least busy other connection.
   */
  async function boundOrCarried<T>(
    params: Statement,
    run: (connection: ClientConnection, params: Statement) => Promise<T>,
  ): Promise<T> {
    const values = params.query_params ?? {}
    if (Object.keys(values).length === 0) return on(false, (c) => run(c, params))
    const comment = params.clickhouse_settings?.log_comment
    const settings = comment === undefined ? undefined : carried?.statements.get(comment)
    const pick = leastBusy()
    const table = carried?.tables[pick - 1]
    const data = table && settings ? valuesAsData(params.query, values, table) : null
    if (!table || !settings || !data) return on(true, (c) => run(c, params))
    const turn = (carrierTurns[pick] ?? Promise.resolve()).then(() =>
      onConnection(pick, async (connection) => {
        if (carrierHeld[pick]) await connection.command({ query: `TRUNCATE TABLE ${table}` })
        carrierHeld[pick] = true
        await connection.insert({
          query: `INSERT INTO ${table} (${Object.keys(carrierColumns).join(', ')}) FORMAT JSONEachRow`,
          values: data.rows.map((r) => JSON.stringify(r)).join('\n'),
        } as Parameters<ClientConnection['insert']>[0])
        try {
          return await run(connection, {
            ...params,
            query: data.query,
            query_params: {},
            clickhouse_settings: { ...params.clickhouse_settings, ...settings },
          })
        } finally {
          // The values stay no longer than their statement.
          await connection.command({ query: `TRUNCATE TABLE ${table}` })
          carrierHeld[pick] = false
        }
      }),
    )
    carrierTurns[pick] = turn.then(
      () => undefined,
      () => undefined,
    )
    return turn
  }
  return {
    ping: (params) => on(false, (c) => c.ping(params)),
    query: (params) => boundOrCarried(params, (c, p) => c.query(p)),
    insert: (params) => on(false, (c) => c.insert(params)),
    command: (params) => boundOrCarried(params, (c, p) => c.command(p)),
    exec: (params) => boundOrCarried(params, (c, p) => c.exec(p as Parameters<ClientConnection['exec']>[0])),
    async close() {
      await Promise.all(connections.map((c) => c.close()))
    },
  }
}
