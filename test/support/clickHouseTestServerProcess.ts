/**
 * A stand-in ClickHouse server for the remote-mode tests, run as its own process (see clickHouseTestServer.ts):
 * the part of ClickHouse's HTTP interface that @clickhouse/client uses, over an embedded engine (chdb) in a
 * temporary data directory of its own. It shares no files with its client: the client's SQL may not read
 * files (file(), INFILE, OUTFILE answer 291, as a real server answers for a path outside user_files_path),
 * and INSERT data arrives only as request bodies.
 *
 * Each request runs on a fresh engine connection, so its settings, query parameters and current database
 * last for that request only, as on a real server. What it does not do is in docs/remote-server.md.
 */
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { PassThrough, type Readable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { Session } from 'chdb'

interface Options {
  user: string
  password: string
}

/** URL parameters that are not settings (ClickHouse's HTTPHandler takes them itself). */
const requestParameters = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'user',
  'password',
  'quota_key',
  'stacktrace',
  'buffer_size',
  'wait_end_of_query',
  'compress',
  'decompress',
  'session_id',
  'session_timeout',
  'session_check',
  'close_session',
  'role',
  'client_protocol_version',
])

/** Statements that would read or write the server's files: a client that shares none must not send them. */
const fileAccess = /\b(?:file|fileCluster)\s*\(|\bINFILE\b|\bOUTFILE\b/i

/** ClickHouse's default max_query_size: the longest query text a server parses (INSERT data aside). */
const maxQueryBytes = 262_144

/** Quoted strings, quoted names and comments: where a `;` does not end a statement. */
const literalsAndComments = /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|--[^\n]*|\/\*[\s\S]*?\*\//g

/** The text of a statement a server parses as SQL: an INSERT's inline data (after VALUES or FORMAT) is not. */
function parsedPart(sql: string): string {
  return /^\s*INSERT\b[\s\S]*?\b(?:VALUES|FORMAT\s+\w+)/i.exec(sql)?.[0] ?? sql
}

/** `INSERT INTO t [(columns)] FORMAT X` whose data is the request body. */
const insertWithData = /^\s*(INSERT\s+INTO\s[\s\S]*?)\s+FORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i

/** The HTTP status ClickHouse answers for an exception code (HTTPHandler's mapping, the codes we meet). */
function httpStatus(code: number): number {
  if ([192, 193, 194, 516].includes(code)) return 401
  if (code === 497) return 403
  if ([46, 47, 50, 56, 60, 73, 81, 115].includes(code)) return 404
  if ([6, 25, 26, 27, 38, 41, 53, 62, 69, 72, 117, 164, 354].includes(code)) return 400
  if (code === 48) return 501
  return 500
}

class ServerException extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message)
  }
}

function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function contentType(format: string): string {
  if (/^JSON.*EachRow/i.test(format)) return 'application/x-ndjson; charset=UTF-8'
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8'
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8'
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8'
  return 'application/octet-stream'
}

/** The request body as sent, decompressed per Content-Encoding (ClickHouse's http request decompression). */
function decodedBody(req: http.IncomingMessage): Readable {
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase()
  const decoders: Record<string, () => Transform> = {
    gzip: () => zlib.createGunzip(),
    deflate: () => zlib.createInflate(),
    br: () => zlib.createBrotliDecompress(),
  }
  if (encoding === '' || encoding === 'identity') return req
  const decoder = decoders[encoding]
  if (!decoder)
    throw new ServerException(48, 'NOT_IMPLEMENTED', `Unknown HTTP Content-Encoding: ${encoding}.`)
  const out = new PassThrough()
  pipeline(req, decoder(), out).catch((err: unknown) => out.destroy(err as Error))
  return out
}

function credentials(req: http.IncomingMessage, url: URL): { user: string; password: string } {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  const header = (name: string) => {
    const value = req.headers[name]
    return typeof value === 'string' ? value : undefined
  }
  return {
    user: header('x-clickhouse-user') ?? url.searchParams.get('user') ?? 'default',
    password: header('x-clickhouse-key') ?? url.searchParams.get('password') ?? '',
  }
}

/** query and param_ values of a multipart/form-data body (the client's use_multipart_params). */
async function multipartFields(req: http.IncomingMessage, body: Buffer): Promise<Map<string, string>> {
  const form = await new Response(new Uint8Array(body), {
    headers: { 'content-type': req.headers['content-type'] ?? '' },
  }).formData()
  const fields = new Map<string, string>()
  form.forEach((value, key) => {
    if (typeof value === 'string') fields.set(key, value)
  })
  return fields
}

async function collect(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = []
  for await (const piece of stream) pieces.push(piece as Buffer)
  return Buffer.concat(pieces)
}

function main(options: Options): void {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-chserver-'))
  const bodiesDir = path.join(dataDir, 'bodies')
  fs.mkdirSync(bodiesDir)
  // The first connection loads the engine; it stays open so the engine does not unload between requests.
  const anchor = new Session(path.join(dataDir, 'engine'))
  const timezone = anchor.query('SELECT timezone()', 'TabSeparated').trim()
  const version = anchor.query('SELECT version()', 'TabSeparated').trim()

  async function execute(req: http.IncomingMessage, url: URL) {
    const { user, password } = credentials(req, url)
    if (user !== options.user || password !== options.password) {
      throw new ServerException(
        516,
        'AUTHENTICATION_FAILED',
        `${user}: Authentication failed: password is incorrect, or there is no user with such name.`,
      )
    }
    const params = new Map(url.searchParams)
    for (const name of ['session_id', 'role']) {
      if (params.has(name))
        throw new ServerException(48, 'NOT_IMPLEMENTED', `the test server does not support ${name}.`)
    }
    if (params.get('compress') === '1' || params.get('decompress') === '1') {
      throw new ServerException(
        48,
        'NOT_IMPLEMENTED',
        'the test server does not speak the native compression format.',
      )
    }

    const sql = params.get('query') ?? ''
    const insert = sql ? insertWithData.exec(sql) : null
    if (!insert) return run(req, params, await queryText(req, params))
    // The data of INSERT ... FORMAT X goes to a file of the server's own, which the engine reads as INFILE.
    const dataFile = path.join(bodiesDir, randomUUID())
    try {
      await pipeline(decodedBody(req), fs.createWriteStream(dataFile))
      const [, head, format] = insert
      return await run(req, params, sql, `${head} FROM INFILE ${quoteString(dataFile)} FORMAT ${format}`)
    } finally {
      fs.rmSync(dataFile, { force: true })
    }
  }

  /** The statement of a request that carries no INSERT data: the URL's query, the body, or both joined. */
  async function queryText(req: http.IncomingMessage, params: Map<string, string>): Promise<string> {
    const sql = params.get('query') ?? ''
    const text = req.method === 'POST' ? await collect(decodedBody(req)) : Buffer.alloc(0)
    if (/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
      for (const [key, value] of await multipartFields(req, text)) params.set(key, value)
      return params.get('query') ?? sql
    }
    if (text.length === 0) return sql
    return sql ? `${sql}\n${text.toString('utf8')}` : text.toString('utf8')
  }

  /** Runs sql (as statement, when the server rewrote it) on a fresh connection with the request's settings. */
  async function run(req: http.IncomingMessage, params: Map<string, string>, sql: string, statement = sql) {
    if (!sql.trim()) throw new ServerException(62, 'SYNTAX_ERROR', 'Empty query.')
    // What the embedded engine would run but an HTTP server refuses.
    const parsed = parsedPart(sql)
    if (Buffer.byteLength(parsed) > maxQueryBytes) {
      throw new ServerException(
        62,
        'SYNTAX_ERROR',
        `Max query size exceeded: ${Buffer.byteLength(parsed)} bytes.`,
      )
    }
    if (/;\s*\S/.test(parsed.replace(literalsAndComments, ' '))) {
      throw new ServerException(62, 'SYNTAX_ERROR', 'Multi-statements are not allowed.')
    }
    if (fileAccess.test(sql)) {
      throw new ServerException(
        291,
        'DATABASE_ACCESS_DENIED',
        'this server shares no files with its client: file(), INFILE and OUTFILE are refused.',
      )
    }

    const assignments: string[] = []
    for (const [key, value] of params) {
      if (requestParameters.has(key)) continue
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw new ServerException(115, 'UNKNOWN_SETTING', `Unknown setting '${key}'.`)
      }
      assignments.push(`${key} = ${quoteString(value)}`)
    }
    // GET runs read-only, as on a real server.
    if (req.method === 'GET') assignments.push("readonly = '2'")
    const outputFormat = params.get('default_format') ?? 'TabSeparated'
    const insert = statement !== sql
    const format = insert
      ? outputFormat
      : (/\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i.exec(sql)?.[1] ?? outputFormat)

    const session = new Session(path.join(dataDir, 'engine'))
    try {
      const database = params.get('database')
      const prelude = [
        ...(assignments.length > 0 ? [`SET ${assignments.join(', ')}`] : []),
        ...(database ? [`USE \`${database.replace(/`/g, '``')}\``] : []),
      ]
      if (prelude.length > 0) await session.queryAsync(prelude.join('; '), { format: 'TabSeparated' })
      const result = await session.queryAsync(statement, { format: outputFormat })
      const rows = String(result.rowsRead)
      const bytes = String(result.bytesRead)
      return {
        body: Buffer.from(result.bytes()),
        format,
        summary: {
          read_rows: rows,
          read_bytes: bytes,
          written_rows: insert ? rows : '0',
          written_bytes: insert ? bytes : '0',
          total_rows_to_read: '0',
          result_rows: insert ? '0' : rows,
          result_bytes: insert ? '0' : bytes,
          elapsed_ns: String(Math.round(result.elapsed * 1e9)),
        },
      }
    } finally {
      session.close()
    }
  }

  const server = http.createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const queryId = url.searchParams.get('query_id') || randomUUID()
    const common = {
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Timezone': timezone,
      'X-ClickHouse-Server-Display-Name': 'tillsight-test-server',
    }
    if (url.pathname === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }).end('Ok.\n')
      return
    }
    if (url.pathname !== '/' || (req.method !== 'GET' && req.method !== 'POST')) {
      req.resume()
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' })
        .end(`There is no handle ${url.pathname}\n`)
      return
    }
    execute(req, url).then(
      ({ body, format, summary }) => {
        const encoding =
          url.searchParams.get('enable_http_compression') === '1' ? acceptedEncoding(req) : undefined
        const payload = encoding ? compress(body, encoding) : body
        res.writeHead(200, {
          ...common,
          'Content-Type': contentType(format),
          'X-ClickHouse-Format': format,
          'X-ClickHouse-Summary': JSON.stringify(summary),
          ...(encoding ? { 'Content-Encoding': encoding } : {}),
          'Content-Length': payload.length,
        })
        res.end(payload)
      },
      (err: unknown) => {
        const { code, text } = exceptionText(err)
        req.resume()
        res.writeHead(httpStatus(code), {
          ...common,
          'Content-Type': 'text/plain; charset=UTF-8',
          'X-ClickHouse-Exception-Code': String(code),
        })
        res.end(`${text} (version ${version})\n`)
      },
    )
  })
  server.keepAliveTimeout = 10_000

  function exceptionText(err: unknown): { code: number; text: string } {
    if (err instanceof ServerException) {
      return { code: err.code, text: `Code: ${err.code}. DB::Exception: ${err.message} (${err.type})` }
    }
    const message = err instanceof Error ? err.message : String(err)
    const engineCode = /^Code: (\d+)\./.exec(message)?.[1]
    if (engineCode) return { code: Number(engineCode), text: message.trim() }
    const errno = (err as NodeJS.ErrnoException).code ?? ''
    if (errno.startsWith('Z_')) {
      return {
        code: 354,
        text: `Code: 354. DB::Exception: inflate failed: ${message}. (ZLIB_INFLATE_FAILED)`,
      }
    }
    return { code: 1001, text: `Code: 1001. DB::Exception: ${message}. (STD_EXCEPTION)` }
  }

  const stop = () => {
    server.close()
    server.closeAllConnections()
    anchor.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // The parent holds our stdin: when it goes, so do we.
  process.stdin.on('end', stop).resume()

  server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    process.stdout.write(`${JSON.stringify({ port, dataDir, version })}\n`)
  })
}

function acceptedEncoding(req: http.IncomingMessage): 'gzip' | 'deflate' | 'br' | undefined {
  const accepted = (req.headers['accept-encoding'] ?? '').toLowerCase()
  return (['gzip', 'deflate', 'br'] as const).find((e) => accepted.includes(e))
}

function compress(body: Buffer, encoding: 'gzip' | 'deflate' | 'br'): Buffer {
  if (encoding === 'gzip') return zlib.gzipSync(body)
  if (encoding === 'deflate') return zlib.deflateSync(body)
  return zlib.brotliCompressSync(body)
}

main(JSON.parse(process.argv[2] ?? '{}') as Options)
