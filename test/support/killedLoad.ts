/**
 * A loading process for crash tests, run as its own process (node --import tsx test/support/killedLoad.ts
 * '<json>'). It starts as the server and the CLI do (migrate, then repair what an interrupted load left),
 * reports whether every derived table and report equals the lines, then loads a batch and SIGKILLs itself
 * right after the batch's statement `killAfter` (counted from its first statement): a crash between any
 * two statements, no handler run. It prints a JSON line { repaired, mismatches } before the batch, and
 * { statements } if the batch finished.
 */
import fs from 'node:fs'
import { createPipeline } from '../../pipelines/createPipeline.ts'
import { resetSpool } from '../../pipelines/stageChunk.ts'
import { createDb, type Db } from '../../server/db/createDb.ts'
import { repairDerived } from '../../server/db/derivedRepairs.ts'
import { migrate } from '../../server/db/migrate.ts'
import { derivedMismatches } from './derivedConsistency.ts'

export interface KilledLoadArgs {
  dataDir: string
  merchantId: string
  stores: Record<string, unknown>[]
  range: { from: string; to: string }
  chunkBytes: number
  next: { file: string; batchId: string }
  /** 0: never. */
  killAfter: number
  /** Or right after the batch's n-th insert into transactions (its marks still open); 0 or absent: never. */
  killAfterInsert?: number
}

const args = JSON.parse(process.argv[2] ?? '{}') as KilledLoadArgs
const db = await createDb({ mode: 'embedded', dataDir: args.dataDir })
await migrate(db)
const repaired = await repairDerived(db)
await db.client.insert({ table: 'stores', format: 'JSONEachRow', values: args.stores })
const mismatches = await derivedMismatches(db, args.merchantId, args.range)

let statements = 0
let inserts = 0
let counting = false
const client = new Proxy(db.client, {
  get(target, name, receiver) {
    const member: unknown = Reflect.get(target, name, receiver)
    if (typeof member !== 'function' || !['query', 'command', 'insert', 'exec'].includes(String(name)))
      return member
    return async (...callArgs: unknown[]) => {
      const result: unknown = await (member as (...a: unknown[]) => Promise<unknown>).apply(target, callArgs)
      if (counting && ++statements === args.killAfter) process.kill(process.pid, 'SIGKILL')
      const comment = (callArgs[0] as { clickhouse_settings?: { log_comment?: string } } | undefined)
        ?.clickhouse_settings?.log_comment
      if (counting && comment === 'ingestInsert_transactions' && ++inserts === args.killAfterInsert)
        process.kill(process.pid, 'SIGKILL')
      return result
    }
  },
})
const counted: Db = { ...db, client }
const pipeline = createPipeline({
  db: counted,
  pseudonymKey: 'killed-load-pseudonym-key',
  chunkBytes: args.chunkBytes,
  // In the data dir, as the server's: a killed load's spooled chunks go with the test's directory.
  spoolDir: resetSpool(args.dataDir),
})
const load = (batch: { file: string; batchId: string }) =>
  pipeline.run({
    kind: 'transactions',
    format: 'ndjson',
    source: batch.file,
    body: fs.createReadStream(batch.file, { highWaterMark: 4096 }),
    gzip: false,
    batchId: batch.batchId,
    scope: '',
    allowedMerchants: undefined,
  })

console.log(JSON.stringify({ repaired, mismatches }))
counting = true
await load(args.next)
counting = false
console.log(JSON.stringify({ statements }))
await db.close()
