import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'

export interface StreamAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/**
 * POSTs a streamed body and waits for the whole answer however long the server takes. An ingest request is
 * answered when its batch is loaded, and fetch gives up waiting for an answer after 300 s (a 100M-line
 * Parquet body loads for longer); node:http sets no such limit.
 */
export function postStream(
  url: URL | string,
  headers: Record<string, string | number>,
  body: Iterable<Buffer> | AsyncIterable<Buffer>,
): Promise<StreamAnswer> {
  const target = new URL(url)
  const transport = target.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = transport.request(target, { method: 'POST', headers })
    request.once('error', reject)
    request.once('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.once('error', reject)
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      )
    })
    const source = body instanceof Readable ? body : Readable.from(body, { objectMode: false })
    source.once('error', (err) => request.destroy(err))
    source.pipe(request)
  })
}
