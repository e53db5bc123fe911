import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { toClusterDdl } from './clusterDdl.ts'
import type { Db } from './createDb.ts'

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

export interface Migration {
  version: number
  name: string
  statements: string[]
  checksum: string
}

/** Reads migrations/NNNN_name.sql in order; statements are `;`-terminated, `--` comments dropped. */
export function readMigrations(dir = migrationsDir): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_\w+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8')
      return {
        version: Number(file.slice(0, 4)),
        name: file.replace(/\.sql$/, ''),
        statements: splitStatements(text),
        checksum: createHash('sha256').update(text).digest('hex'),
      }
    })
}

export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/** The DDL a statement becomes on this deployment: as written on one node, rewritten on a cluster. */
export function ddlFor(db: Pick<Db, 'cluster' | 'database'>, statement: string): string[] {
  return db.cluster ? toClusterDdl(statement, db.cluster, db.database) : [statement]
}

const ledgerTable = `CREATE TABLE IF NOT EXISTS schema_migrations
(
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version`

/**
 * Applies every migration not yet recorded, in order. Migrations are append-only: a recorded migration
 * whose file changed stops start-up rather than leaving the schema and the files out of step.
 */
export async function migrate(db: Db, migrations = readMigrations()): Promise<Migration[]> {
  for (const ddl of ddlFor(db, ledgerTable)) await db.client.command({ query: ddl })
  const result = await db.client.query({
    query: 'SELECT version, checksum FROM schema_migrations FINAL',
    format: 'JSONEachRow',
  })
  const applied = new Map(
    (await result.json<{ version: number; checksum: string }>()).map((r) => [r.version, r.checksum]),
  )
  const done: Migration[] = []
  for (const migration of migrations) {
    const recorded = applied.get(migration.version)
    if (recorded !== undefined) {
      if (recorded !== migration.checksum) {
        throw new Error(
          `migration ${migration.name} was changed after it was applied; add a new migration instead`,
        )
      }
      continue
    }
    for (const statement of migration.statements) {
      for (const ddl of ddlFor(db, statement)) await db.client.command({ query: ddl })
    }
    await db.client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: 'JSONEachRow',
    })
    done.push(migration)
  }
  return done
}
