import { benches } from './bench/benches.ts'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { SingleBar } from 'cli-progress'
import { Command, InvalidArgumentError, Option } from 'commander'
import { glob } from 'tinyglobby'
import { customerErasedEntry, keyCreatedEntry, recordAudit } from '../server/audit/recordAudit.ts'
import { customerKeyOf } from '../server/db/customerKeyOf.ts'
import { eraseCustomer } from '../server/db/eraseCustomer.ts'
import { createKey, listKeys, revokeKey } from '../server/auth/apiKeys.ts'
import { parseConfig } from '../server/config.ts'
import {
  BatchLedger,
  CreateKeyRequest,
  IngestFormat,
  formatOfFileName,
  sourceOfFileName,
  IngestKind,
  MerchantId,
  ingestMediaTypes,
  type ErrorBody,
} from '../server/contract.ts'
import { createDb, dbOptionsFromConfig, type Db } from '../server/db/createDb.ts'
import { migrate } from '../server/db/migrate.ts'
import { repairAtStart } from '../server/db/derivedRepairs.ts'
import { BatchError, createPipeline, type Pipeline, type Progress } from './createPipeline.ts'
import { resolveMapping } from './mapping.ts'
import { postStream } from './postStream.ts'
import { loadPseudonymKey } from './pseudonymKey.ts'
import { dropStaleStaging, resetSpool } from './stageChunk.ts'

/** Who the audit log names for actions taken through the command line (it has no API key). */
const cliKeyId = 'cli'

interface IngestFlags {
  mapping?: string
  format?: IngestFormat
  server?: string
  key?: string
  batchId?: string
  watch?: string
  interval: number
  progress: boolean
}

/** Reads the first bytes to tell gzip by its magic number, then yields everything. */
async function peekGzip(
  source: AsyncIterable<Buffer>,
): Promise<{ gzip: boolean; body: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]()
  const first = await iterator.next()
  const head: Buffer | undefined = first.done ? undefined : Buffer.from(first.value)
  async function* body(): AsyncGenerator<Buffer> {
    if (head) yield head
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield Buffer.from(next.value)
  }
  return { gzip: head !== undefined && head[0] === 0x1f && head[1] === 0x8b, body: body() }
}

/** Counts bytes as they pass (read from disk, before decompression) for the progress bar. */
async function* counting(
  source: AsyncIterable<Buffer>,
  onBytes: (n: number) => void,
): AsyncGenerator<Buffer> {
  let n = 0
  for await (const piece of source) {
    n += piece.length
    onBytes(n)
    yield piece
  }
}

interface Input {
  name: string
  size: number | undefined
  /** Files can be read again (to resend after a busy server's 503); stdin cannot. */
  rereadable: boolean
  open(): AsyncIterable<Buffer>
}

async function expandInputs(patterns: string[]): Promise<Input[]> {
  const inputs: Input[] = []
  for (const pattern of patterns) {
    if (pattern === '-') {
      inputs.push({ name: 'stdin', size: undefined, rereadable: false, open: () => process.stdin })
      continue
    }
    const files = fs.existsSync(pattern) ? [pattern] : (await glob(pattern, { onlyFiles: true })).sort()
    if (files.length === 0) throw new InvalidArgumentError(`no file matches ${pattern}`)
    for (const file of files) {
      inputs.push({
        name: file,
        size: fs.statSync(file).size,
        rereadable: true,
        open: () => fs.createReadStream(file, { highWaterMark: 1 << 20 }),
      })
    }
  }
  return inputs
}

function progressBar(enabled: boolean, name: string, size: number | undefined) {
  if (!enabled) return { update: (_p: Progress, _read: number) => undefined, stop: () => undefined }
  const started = performance.now()
  const bar = new SingleBar({
    format: `${path.basename(name)} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | {mb} MB | {rejected} rejected`,
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
  })
  bar.start(size ?? 1, 0, { rows: 0, rate: 0, mb: '0.0', rejected: 0 })
  return {
    update(p: Progress, read: number) {
      const seconds = (performance.now() - started) / 1000
      bar.setTotal(Math.max(size ?? read, 1))
      bar.update(read, {
        rows: p.received.toLocaleString('en-US'),
        rate: Math.round(p.received / Math.max(seconds, 0.001)).toLocaleString('en-US'),
        mb: (read / 1e6).toFixed(1),
        rejected: p.rejected.toLocaleString('en-US'),
      })
    },
    stop: () => bar.stop(),
  }
}

/** A way to load one input as one batch: straight into the store (embedded or CLICKHOUSE_URL), or a running server. */
type Loader = (kind: IngestKind, input: Input, flags: IngestFlags) => Promise<BatchLedger>

function directLoader(pipeline: Pipeline): Loader {
  return async (kind, input, flags) => {
    const format = flags.format ?? formatOfFileName(input.name)
    if (!format) throw new InvalidArgumentError(`cannot tell the format of ${input.name}: pass --format`)
    let read = 0
    let last: Progress = { bytes: 0, received: 0, inserted: 0, duplicates: 0, rejected: 0 }
    const bar = progressBar(flags.progress, input.name, input.size)
    const { gzip, body } = await peekGzip(
      counting(input.open(), (n) => {
        read = n
        bar.update(last, read)
      }),
    )
    try {
      return await pipeline.run({
        kind,
        format,
        source: sourceOfFileName(input.name),
        body,
        gzip,
        mapping: flags.mapping ? resolveMapping(kind, flags.mapping, true) : undefined,
        batchId: flags.batchId,
        scope: '',
        allowedMerchants: undefined,
        onProgress: (p) => {
          last = p
          bar.update(p, read)
        },
      })
    } finally {
      bar.stop()
    }
  }
}

function serverLoader(server: string, key: string): Loader {
  return async (kind, input, flags) => {
    const format = flags.format ?? formatOfFileName(input.name)
    if (!format) throw new InvalidArgumentError(`cannot tell the format of ${input.name}: pass --format`)
    if (flags.mapping) resolveMapping(kind, flags.mapping)
    const bar = progressBar(flags.progress, input.name, input.size)
    const empty: Progress = { bytes: 0, received: 0, inserted: 0, duplicates: 0, rejected: 0 }
    const url = new URL(`/api/v1/ingest/${kind}`, server)
    if (flags.mapping) url.searchParams.set('mapping', flags.mapping)
    // The ledger names the file as a direct load's does.
    const source = sourceOfFileName(input.name)
    if (source) url.searchParams.set('source', source)
    const mediaType = Object.entries(ingestMediaTypes).find(([, f]) => f === format)?.[0] ?? 'text/csv'
    try {
      for (;;) {
        const { gzip, body } = await peekGzip(counting(input.open(), (n) => bar.update(empty, n)))
        const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': mediaType }
        if (gzip) headers['content-encoding'] = 'gzip'
        if (flags.batchId) headers['idempotency-key'] = flags.batchId
        const answer = await postStream(url, headers, body)
        // A busy server stored nothing of the batch and says when to send it again; so may a proxy in
        // front of it, whose answer is a page of its own, not JSON.
        const retryAfter = Number(answer.headers['retry-after'] ?? 1)
        if (answer.status === 503 && input.rereadable) {
          console.error(`${input.name}: the server is busy; sending it again in ${retryAfter} s`)
          await sleep(retryAfter * 1000)
          continue
        }
        const json = answerJson(answer.status, answer.body)
        if (answer.status !== 200) {
          throw new Error((json as ErrorBody).error?.message ?? `HTTP ${answer.status}`)
        }
        const ledger = BatchLedger.parse(json)
        bar.update({ ...ledger, bytes: input.size ?? 0 }, input.size ?? 0)
        return ledger
      }
    } finally {
      bar.stop()
    }
  }
}

/**
 * The server's JSON answer. Something between the CLI and the server (a proxy, a load balancer) may answer
 * with a page of its own: that is said with its status and first words, not as a JSON syntax error.
 */
function answerJson(status: number, body: string): unknown {
  try {
    return JSON.parse(body) as unknown
  } catch {
    const words = body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200)
    throw new Error(`HTTP ${status}: the server did not answer with JSON${words ? `: ${words}` : ''}`)
  }
}

function printLedger(ledger: BatchLedger): void {
  console.log(JSON.stringify(ledger, null, 2))
}

/** The store the configuration names: the embedded engine in DATA_DIR, or the server in CLICKHOUSE_URL. */
async function openStore(): Promise<{ db: Db; pipeline: Pipeline; pseudonymKey: string }> {
  const config = parseConfig(process.env)
  const db = await createDb(dbOptionsFromConfig(config))
  await migrate(db)
  await repairAtStart(db, (line) => console.error(line))
  await dropStaleStaging(db)
  const spoolDir = db.mode === 'embedded' ? resetSpool(config.dataDir) : undefined
  const pseudonymKey = loadPseudonymKey(config.pseudonymKey, config.dataDir)
  return {
    db,
    pipeline: createPipeline({
      db,
      pseudonymKey,
      spoolDir,
      chunkBytes: config.limits.ingestChunkBytes,
      limits: config.limits.input,
    }),
    pseudonymKey,
  }
}

/** Waits until a file's size stops changing (a writer may still be copying it in). */
async function settled(file: string, interval: number): Promise<boolean> {
  const before = fs.statSync(file).size
  await sleep(Math.min(interval, 500))
  return fs.existsSync(file) && fs.statSync(file).size === before
}

/** Drop folder: every file put in dir is loaded once, then moved to done/ or failed/ with its ledger. */
async function watchFolder(dir: string, kind: IngestKind, load: Loader, flags: IngestFlags): Promise<never> {
  for (const sub of ['done', 'failed']) fs.mkdirSync(path.join(dir, sub), { recursive: true })
  console.error(`watching ${path.resolve(dir)} for ${kind} files (Ctrl-C to stop)`)
  for (;;) {
    const names = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.') && !/\.(part|tmp)$/.test(e.name))
      .map((e) => e.name)
      .sort()
    for (const name of names) {
      const file = path.join(dir, name)
      if (!(await settled(file, flags.interval))) continue
      let outcome: 'done' | 'failed' = 'done'
      let record: unknown
      try {
        record = await load(
          kind,
          {
            name: file,
            size: fs.statSync(file).size,
            rereadable: true,
            open: () => fs.createReadStream(file),
          },
          flags,
        )
      } catch (err) {
        outcome = 'failed'
        record = err instanceof BatchError ? { ...err.ledger, error: err.message } : { error: errorText(err) }
      }
      fs.renameSync(file, path.join(dir, outcome, name))
      fs.writeFileSync(path.join(dir, outcome, `${name}.ledger.json`), JSON.stringify(record, null, 2) + '\n')
      console.error(`${name}: ${outcome}`)
    }
    await sleep(flags.interval)
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

export function buildProgram(): Command {
  const program = new Command('tillsight')
    .description('Tillsight command line: load data, manage API keys, run benchmarks')
    .showHelpAfterError()

  program
    .command('ingest')
    .description(
      'Load files (paths, globs, or - for stdin) as batches, into a running server (--server) or straight into the store: the stopped embedded one in DATA_DIR, or the ClickHouse server in CLICKHOUSE_URL',
    )
    .argument('<kind>', `what the rows are: ${IngestKind.options.join(', ')}`, (v) =>
      parseWith(IngestKind, v),
    )
    .argument('[inputs...]', 'files or globs (quote globs to let the CLI expand them), or - for stdin')
    .option(
      '-m, --mapping <name-or-file>',
      'a mapping preset name, or a mapping JSON file (direct loads only)',
    )
    .addOption(
      new Option('-f, --format <format>', 'input format when the file name does not say').choices(
        IngestFormat.options,
      ),
    )
    .option('-s, --server <url>', 'load into the running server at this URL (else straight into the store)')
    .option('-k, --key <key>', 'API key for --server (default: $TILLSIGHT_KEY)')
    .option('-b, --batch-id <id>', 'idempotency key of the batch (one input only)')
    .option('-w, --watch <dir>', 'watch a drop folder: load each file put there, move it to done/ or failed/')
    .option('--interval <ms>', 'drop folder poll interval', (v) => Number(v), 2000)
    .option('--no-progress', 'no progress bar')
    .action(async (kind: IngestKind, patterns: string[], flags: IngestFlags) => {
      const inputs = await expandInputs(patterns)
      if (inputs.length === 0 && !flags.watch)
        throw new InvalidArgumentError('name at least one input, or --watch')
      if (flags.batchId && inputs.length > 1)
        throw new InvalidArgumentError('--batch-id needs exactly one input')
      if (flags.progress && !process.stderr.isTTY) flags.progress = false
      let close: () => Promise<void> = async () => undefined
      let load: Loader
      if (flags.server) {
        const key = flags.key ?? process.env.TILLSIGHT_KEY
        if (!key) throw new InvalidArgumentError('--server needs --key (or TILLSIGHT_KEY)')
        load = serverLoader(flags.server, key)
      } else {
        const { db, pipeline } = await openStore()
        close = () => db.close()
        load = directLoader(pipeline)
      }
      let failed = 0
      try {
        for (const input of inputs) {
          try {
            printLedger(await load(kind, input, flags))
          } catch (err) {
            failed++
            if (err instanceof BatchError && err.ledger) printLedger(err.ledger)
            console.error(`${input.name}: ${errorText(err)}`)
          }
        }
        if (flags.watch) {
          const stop = () => void close().finally(() => process.exit(0))
          process.once('SIGINT', stop)
          process.once('SIGTERM', stop)
          await watchFolder(flags.watch, kind, load, flags)
        }
      } finally {
        await close()
      }
      if (failed > 0) process.exitCode = 1
    })

  const keys = program
    .command('keys')
    .description('Manage API keys in the store (the embedded one with the server stopped, or CLICKHOUSE_URL)')
  keys
    .command('create')
    .description('Create a key and print its secret (shown once)')
    .requiredOption('-r, --role <role>', 'admin, merchant, marketer or wallet')
    .option('-m, --merchant <id...>', 'merchant id(s) the key is for')
    .option('-n, --name <name>', 'a label', '')
    .action(async (flags: { role: string; merchant?: string[]; name: string }) => {
      const request = parseWith(CreateKeyRequest, {
        role: flags.role,
        name: flags.name,
        ...(flags.merchant?.length === 1 ? { merchantId: flags.merchant[0] } : {}),
        ...(flags.merchant && flags.merchant.length > 1 ? { merchantIds: flags.merchant } : {}),
      })
      await withDb(async (db) => {
        const created = await createKey(db, request)
        await recordAudit(db, keyCreatedEntry(cliKeyId, created))
        console.log(JSON.stringify(created, null, 2))
      })
    })
  keys
    .command('list')
    .description('List keys (never their secrets)')
    .action(() => withDb(async (db) => console.log(JSON.stringify(await listKeys(db), null, 2))))
  keys
    .command('revoke')
    .description('Revoke a key by its id')
    .argument('<keyId>')
    .action((keyId: string) =>
      withDb(async (db) => {
        const key = await revokeKey(db, keyId)
        if (!key) throw new InvalidArgumentError(`no key ${keyId}`)
        await recordAudit(db, { keyId: cliKeyId, action: 'key.revoked', target: key.keyId })
        console.log(JSON.stringify(key, null, 2))
      }),
    )

  program
    .command('erase')
    .description(
      "Erase a customer from a merchant's data in the embedded store (server stopped): pseudonym, number and memberships go, the lines stay anonymised (docs/erasure.md)",
    )
    .requiredOption('--merchant <id>', 'the merchant', (v) => MerchantId.parse(v))
    .requiredOption('--customer <id>', 'the raw customer id, as the merchant sends it (never stored)')
    .action((flags: { merchant: string; customer: string }) =>
      withDb(async (db, pseudonymKey) => {
        const erasure = { merchantId: flags.merchant, customerId: flags.customer }
        const outcome = await eraseCustomer(db, {
          ...erasure,
          customerKey: customerKeyOf(pseudonymKey, erasure.customerId),
        })
        await recordAudit(db, customerErasedEntry(cliKeyId, erasure.merchantId, outcome))
        console.log(JSON.stringify({ ...outcome, merchantId: erasure.merchantId }, null, 2))
      }),
    )

  program
    .command('bench')
    .description(
      `Run a benchmark that prints its figures: ${Object.keys(benches).join(', ')} (see docs/benchmarks.md)`,
    )
    .argument('<name>', 'which benchmark')
    .argument('[flags...]', "the benchmark's own flags (--help lists them)")
    .allowUnknownOption()
    .helpOption(false)
    .action(async (name: string, flags: string[]) => {
      const bench = benches[name]
      if (!bench)
        throw new InvalidArgumentError(
          `no benchmark ${name}; choose one of ${Object.keys(benches).join(', ')}`,
        )
      await bench(flags)
    })
  return program
}

function parseWith<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }
  },
  value: unknown,
): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  throw new InvalidArgumentError(`${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`)
}

async function withDb(work: (db: Db, pseudonymKey: string) => Promise<void>): Promise<void> {
  const { db, pseudonymKey } = await openStore()
  try {
    await work(db, pseudonymKey)
  } finally {
    await db.close()
  }
}

const invoked = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)
if (invoked) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      console.error(`tillsight: ${errorText(err)}`)
      process.exitCode = 1
    })
}
