/**
 * The benchmarks' HTTP client, in its own process (as a merchant's terminal or a dashboard would be): its
 * reading, sending and timing never share the server's event loop. It reads one JSON command per line on
 * stdin and answers one JSON line per command on stdout:
 *   {"op":"post","url":...,"key":...,"contentType":...,"files":[...],"inFlight":n} sends each file as one
 *     request, streamed, with its name as Idempotency-Key, n at a time (1: in turn), in the files' order;
 *     answers {ms, requests: [ms...], ledgers: [...]} in that order.
 *   {"op":"get","key":...,"urls":[...]} sends every GET at once; answers {ms, each: [{ms, status}]}.
 *   {"op":"send","method":...,"url":...,"key":...,"body":...} sends one JSON request; answers {status, body}.
 * Run by benchServer.ts (`startBenchClient`), not by hand.
 */
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { postStream } from '../postStream.ts'

interface PostCommand {
  op: 'post'
  url: string
  key: string
  contentType: string
  files: string[]
  inFlight?: number
}
interface GetCommand {
  op: 'get'
  key: string
  urls: string[]
}
interface SendCommand {
  op: 'send'
  method: string
  url: string
  key: string
  body?: unknown
}

async function post(command: PostCommand) {
  const started = performance.now()
  const requests: number[] = []
  const ledgers: unknown[] = []
  let next = 0
  // Each sender takes the next file as soon as its last request is answered, as terminals sending at once.
  const sender = async () => {
    for (let i = next++; i < command.files.length; i = next++) await postFile(command, i, requests, ledgers)
  }
  const senders = Math.max(1, Math.min(command.inFlight ?? 1, command.files.length))
  await Promise.all(Array.from({ length: senders }, sender))
  return { ms: performance.now() - started, requests, ledgers }
}

async function postFile(command: PostCommand, i: number, requests: number[], ledgers: unknown[]) {
  const file = command.files[i] ?? ''
  const sent = performance.now()
  const { status, body } = await postStream(
    command.url,
    {
      authorization: `Bearer ${command.key}`,
      'content-type': command.contentType,
      'idempotency-key': path.basename(file).replace(/[^A-Za-z0-9_.:-]/g, '_'),
    },
    fs.createReadStream(file, { highWaterMark: 1 << 20 }),
  )
  if (status !== 200) throw new Error(`${file}: ${status} ${body}`)
  requests[i] = performance.now() - sent
  ledgers[i] = JSON.parse(body)
}

async function get(command: GetCommand) {
  const started = performance.now()
  const each = await Promise.all(
    command.urls.map(async (url) => {
      const sent = performance.now()
      const response = await fetch(url, { headers: { authorization: `Bearer ${command.key}` } })
      const body = await response.text()
      if (!response.ok) throw new Error(`${url}: ${response.status} ${body}`)
      return { ms: performance.now() - sent, status: response.status }
    }),
  )
  return { ms: performance.now() - started, each }
}

async function send(command: SendCommand) {
  const response = await fetch(command.url, {
    method: command.method,
    headers: { authorization: `Bearer ${command.key}`, 'content-type': 'application/json' },
    ...(command.body === undefined ? {} : { body: JSON.stringify(command.body) }),
  })
  return { status: response.status, body: (await response.json()) as unknown }
}

const lines = readline.createInterface({ input: process.stdin })
for await (const line of lines) {
  const command = JSON.parse(line) as PostCommand | GetCommand | SendCommand
  try {
    const answer =
      command.op === 'post'
        ? await post(command)
        : command.op === 'get'
          ? await get(command)
          : await send(command)
    process.stdout.write(`${JSON.stringify(answer)}\n`)
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`)
  }
}
