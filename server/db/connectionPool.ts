import type { createClient } from '@clickhouse/client'

export type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

/**
 * Several connections to the one embedded engine behind the client's single connection. A chdb connection
 * runs its statements one at a time, so with one connection a dashboard query waits behind an ingest
 * insert; connections to the same path share the engine and its tables.
 *
 * Statements with bound parameters run one at a time across the whole process anyway (chdb's parameter
 * binder is process-wide: chdb-io/chdb-node#51), so they all take the first connection, in order, as they
 * did when there was only one. Statements that bind nothing take the least busy of the others: those are
 * what runs side by side (an ingest insert beside the next chunk's check, DDL, ledger writes).
 */
export function connectionPool(connections: ClientConnection[]): ClientConnection {
  const busy = connections.map(() => 0)
  async function on<T>(bound: boolean, work: (connection: ClientConnection) => Promise<T>): Promise<T> {
    let pick = 0
    if (!bound && connections.length > 1) {
      pick = 1
      for (let i = 2; i < connections.length; i++) if ((busy[i] ?? 0) < (busy[pick] ?? 0)) pick = i
    }
    const connection = connections[pick]
    if (!connection) throw new Error('the connection pool is empty')
    busy[pick] = (busy[pick] ?? 0) + 1
    try {
      return await work(connection)
    } finally {
      busy[pick] = (busy[pick] ?? 1) - 1
    }
  }
  const binds = (params: { query_params?: Record<string, unknown> }) =>
    Object.keys(params.query_params ?? {}).length > 0
  return {
    ping: (params) => on(false, (c) => c.ping(params)),
    query: (params) => on(binds(params), (c) => c.query(params)),
    insert: (params) => on(false, (c) => c.insert(params)),
    command: (params) => on(binds(params), (c) => c.command(params)),
    exec: (params) => on(binds(params), (c) => c.exec(params)),
    async close() {
      await Promise.all(connections.map((c) => c.close()))
    },
  }
}
