/**
 * Rewrites a single-node migration statement into the DDL for a sharded, replicated cluster:
 * each `CREATE TABLE name` becomes a `name_local` ReplicatedMergeTree-family table ON CLUSTER plus a
 * Distributed table under the public name (sharded by the first ORDER BY column, so the rows a
 * Replacing engine must merge live on one shard); materialized views read and write the local tables.
 * Queries keep using the public names and run unchanged on one node or on the cluster. `DROP TABLE|VIEW IF
 * EXISTS name` drops the view, or the Distributed table and its local table, on every node. An `INSERT INTO`
 * (a backfill) is run as it is, once.
 */
export function toClusterDdl(statement: string, cluster: string, database: string): string[] {
  const on = `ON CLUSTER \`${cluster}\``
  const create =
    /^CREATE TABLE IF NOT EXISTS (\w+)\s*\(([\s\S]*)\)\s*ENGINE\s*=\s*(\w*MergeTree)(?:\(([^)]*)\))?([\s\S]*)$/i.exec(
      statement,
    )
  if (create) {
    const [, name, columns, engine, engineArgs, rest] = create as unknown as [
      string,
      string,
      string,
      string,
      string | undefined,
      string,
    ]
    const local = `${name}_local`
    const args = [`'/clickhouse/tables/{shard}/${database}/${local}'`, `'{replica}'`]
    if (engineArgs?.trim()) args.push(engineArgs.trim())
    const orderBy = /ORDER BY\s*\(?\s*(\w+)/i.exec(rest)
    const shardKey = orderBy ? `cityHash64(${orderBy[1]})` : 'rand()'
    return [
      `CREATE TABLE IF NOT EXISTS ${local} ${on}\n(${columns})\nENGINE = Replicated${engine}(${args.join(', ')})${rest}`,
      `CREATE TABLE IF NOT EXISTS ${name} ${on} AS ${local}\nENGINE = Distributed(\`${cluster}\`, ${database}, ${local}, ${shardKey})`,
    ]
  }
  const view = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)\s+TO\s+(\w+)([\s\S]*)$/i.exec(statement)
  if (view) {
    const [, name, target, body] = view as unknown as [string, string, string, string]
    const localBody = body.replace(
      /\b(FROM|JOIN)\s+(\w+)/gi,
      (_m, kw: string, table: string) => `${kw} ${table}_local`,
    )
    return [`CREATE MATERIALIZED VIEW IF NOT EXISTS ${name} ${on} TO ${target}_local${localBody}`]
  }
  const alter = /^ALTER TABLE (\w+)\s+([\s\S]*)$/i.exec(statement)
  if (alter) {
    const [, name, action] = alter as unknown as [string, string, string]
    const local = [`ALTER TABLE ${name}_local ${on} ${mutationOnReplicas(action)}`]
    // Column changes must reach the Distributed table too; index and TTL changes live on the local table only.
    return /^(ADD|DROP|MODIFY|RENAME) COLUMN/i.test(action.trim())
      ? [...local, `ALTER TABLE ${name} ${on} ${action}`]
      : local
  }
  const drop = /^DROP (TABLE|VIEW) IF EXISTS (\w+)\s*$/i.exec(statement)
  if (drop) {
    const [, kind, name] = drop as unknown as [string, string, string]
    // A view lives once per node under its own name; a table is the Distributed table plus its local table.
    return kind.toUpperCase() === 'VIEW'
      ? [`DROP VIEW IF EXISTS ${name} ${on} SYNC`]
      : [`DROP TABLE IF EXISTS ${name} ${on} SYNC`, `DROP TABLE IF EXISTS ${name}_local ${on} SYNC`]
  }
  // A backfill (`INSERT INTO name SELECT ...`) runs once, through the Distributed tables' public names.
  if (/^INSERT INTO \w+\s/i.test(statement)) return [statement]
  throw new Error(`cluster mode cannot rewrite this migration statement: ${statement.slice(0, 80)}`)
}

/**
 * A replicated table refuses a mutation whose expressions are not deterministic, and a subquery counts as
 * such (migration 0130 sets the basket flags of stored lines from a subquery over them). Migrations run
 * before anything writes, so every replica computes the same answer: the mutation is allowed.
 */
function mutationOnReplicas(action: string): string {
  if (!/^(UPDATE|DELETE)\b/i.test(action.trim())) return action
  const allow = 'allow_nondeterministic_mutations = 1'
  return /\bSETTINGS\b/i.test(action)
    ? action.replace(/\bSETTINGS\b/i, `SETTINGS ${allow},`)
    : `${action} SETTINGS ${allow}`
}
