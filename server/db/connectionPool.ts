import type { createClient } from '@clickhouse/client'

export type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

/**
 * Several connections to the one embedded engine behind the client's single connection. A chdb connection
 * runs its statements one at a time, so with one connection a dashboard query waits behind an ingest
 * insert. Connections to the same path share the engine and its tables; each call goes to the connection
 * with the fewest calls under way. Statements with bound parameters still run one at a time across the
 * process (chdb's binder is shared), so what runs side by side are the statements that bind nothing.
 */
export function connectionPool(connections: ClientConnection[]): ClientConnection {
  const busy = connections.map(() => 0)
  async function on<T>(work: (connection: ClientConnection) => Promise<T>): Promise<T> {
    let pick = 0
    for (let i = 1; i < connections.length; i++) if ((busy[i] ?? 0) < (busy[pick] ?? 0)) pick = i
    const connection = connections[pick]
    if (!connection) throw new Error('the connection pool is empty')
    busy[pick] = (busy[pick] ?? 0) + 1
    try {
      return await work(connection)
    } finally {
      busy[pick] = (busy[pick] ?? 1) - 1
    }
  }
  return {
    ping: (params) => on((c) => c.ping(params)),
    query: (params) => on((c) => c.query(params)),
    insert: (params) => on((c) => c.insert(params)),
    command: (params) => on((c) => c.command(params)),
    exec: (params) => on((c) => c.exec(params)),
    async close() {
      await Promise.all(connections.map((c) => c.close()))
    },
  }
}
