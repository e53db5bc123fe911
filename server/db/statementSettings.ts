import type { ClickHouseSettings } from '@clickhouse/client'
import type { ClientConnection } from './connectionPool.ts'

/**
 * Settings that last one statement, on an embedded connection. chdb's connection (chdb 3.4.0,
 * `applySettings` in chdb/dist/connection/chdb-connection.js) runs a statement's `clickhouse_settings` as
 * `SET name = value; <statement>` in its session, so they stayed for every later statement on that
 * connection: after one Parquet load (staged with `max_threads = 1`) every bound statement, dashboards' among
 * them, ran on one thread, and a text chunk's `max_block_size` stayed too (found 2026-12-02; not the JIT
 * settings, which the client sends with every statement). So each statement also sets back, to the value
 * the session started with, every setting an earlier statement on the connection set and it does not.
 * Every setting ever changed is set back, not only the last statement's: the engine may run statements
 * given to one connection in another order than given. A setting a statement gives its starting value
 * cannot leave the connection changed, so it is not tracked: most of the staging's input settings are the
 * engine's own. A set-back costs about 0.12 ms a setting (eight added 0.95 ms to a bound `SELECT` of
 * 3.4 ms p50, 2026-12-02), and bound statements queue one at a time.
 */
export function settingsPerStatement(
  connection: ClientConnection,
  started: ReadonlyMap<string, string>,
): ClientConnection {
  const changed = new Set<string>()
  function scoped<P extends { clickhouse_settings?: ClickHouseSettings | undefined }>(params: P): P {
    const own = params.clickhouse_settings ?? {}
    const back: Record<string, string> = {}
    for (const name of changed) {
      const value = started.get(name)
      if (own[name] === undefined && value !== undefined) back[name] = value
    }
    // chdb leaves out a setting given as undefined, and takes default_format as the statement's output
    // format rather than a SET: neither stays on the connection.
    for (const [name, value] of Object.entries(own)) {
      if (value === undefined || name === 'default_format') continue
      if (String(value) !== started.get(name)) changed.add(name)
    }
    return Object.keys(back).length === 0 ? params : { ...params, clickhouse_settings: { ...back, ...own } }
  }
  return {
    ping: (params) => connection.ping(params),
    query: (params) => connection.query(scoped(params)),
    command: (params) => connection.command(scoped(params)),
    exec: (params) => connection.exec(scoped(params)),
    insert: (params) => connection.insert(scoped(params)),
    close: () => connection.close(),
  }
}

/** Every setting's value in a session that has run nothing yet: what settingsPerStatement sets back to. */
export async function startingSettings(connection: ClientConnection): Promise<Map<string, string>> {
  const result = await connection.query({
    query: 'SELECT name, value FROM system.settings FORMAT JSONEachRow',
    query_id: crypto.randomUUID(),
  } as Parameters<ClientConnection['query']>[0])
  let text = ''
  for await (const piece of result.stream as AsyncIterable<Buffer | string>) text += piece.toString()
  const settings = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const { name, value } = JSON.parse(line) as { name: string; value: string }
    settings.set(name, value)
  }
  if (settings.size === 0) throw new Error('system.settings returned no row')
  return settings
}
