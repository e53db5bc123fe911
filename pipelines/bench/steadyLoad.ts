/**
 * A steady-rate HTTP load generator, run in its own process (forked by the wallet bench) so its work does
 * not share an event loop with the server it measures. Request i is due at start + i / rate; it is sent
 * when due (on a 1 ms timer, never in bursts) and its latency is timed from when it was due, so a server
 * that falls behind is charged for the queueing it causes (no coordinated omission).
 *
 * Input (one IPC message): { base, paths, headers, rate, seconds }. Output: { latencies, statuses, ... }.
 */
import http from 'node:http'

export interface SteadyLoadRequest {
  base: string
  /** Request paths, used round-robin. */
  paths: string[]
  headers: Record<string, string>
  rate: number
  seconds: number
}

export interface SteadyLoadResult {
  /** Milliseconds from due time to the end of the response, one per completed request. */
  latencies: number[]
  statuses: Record<string, number>
  /** Responses whose body lists at least one offer. */
  nonEmpty: number
  /** Requests sent more than 1 ms after they were due (the generator itself lagging). */
  lateSends: number
  elapsedMs: number
}

function run(request: SteadyLoadRequest): Promise<SteadyLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  const url = new URL(request.base)
  const total = Math.round(request.rate * request.seconds)
  const result: SteadyLoadResult = { latencies: [], statuses: {}, nonEmpty: 0, lateSends: 0, elapsedMs: 0 }
  const start = performance.now()
  let sent = 0
  let done = 0
  return new Promise((resolve) => {
    const finish = () => {
      if (done < total) return
      result.elapsedMs = performance.now() - start
      agent.destroy()
      resolve(result)
    }
    const send = (i: number, due: number) => {
      const path = request.paths[i % request.paths.length] ?? '/'
      const req = http.request(
        { host: url.hostname, port: url.port, path, headers: request.headers, agent },
        (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (body += chunk))
          res.on('end', () => {
            result.latencies.push(performance.now() - due)
            const status = String(res.statusCode)
            result.statuses[status] = (result.statuses[status] ?? 0) + 1
            if (body.includes('"offerId"')) result.nonEmpty += 1
            done += 1
            finish()
          })
        },
      )
      req.on('error', () => {
        result.statuses.error = (result.statuses.error ?? 0) + 1
        done += 1
        finish()
      })
      req.end()
    }
    const tick = () => {
      const now = performance.now()
      while (sent < total) {
        const due = start + (sent * 1000) / request.rate
        if (due > now) break
        if (now - due > 1) result.lateSends += 1
        send(sent, due)
        sent += 1
      }
      if (sent < total) setTimeout(tick, 1)
    }
    tick()
  })
}

process.once('message', (message) => {
  void run(message as SteadyLoadRequest).then((result) => {
    process.send?.(result, () => process.exit(0))
  })
})
