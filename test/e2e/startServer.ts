import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface RunningServer {
  base: string
  adminKey: string
  /** GETs an API path with a key and returns the parsed JSON (throws on a non-2xx answer). */
  api<T>(pathname: string, key?: string, init?: RequestInit): Promise<T>
  /** What the server printed so far (its logs at LOG_LEVEL warn), for a failing test to show. */
  output(): string
  stop(): Promise<void>
}

/**
 * Starts the real server (`tsx server/main.ts`) on a free port of 127.0.0.1 with a fresh data dir and demo
 * data, waits until it prints its dashboard URL, and stops it (and removes the dir) on stop().
 */
export async function startServer(demoLines = 20_000): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-e2e-'))
  const port = await freePort()
  const adminKey = 'e2e-admin-key-0123456789abcdef'
  const child: ChildProcess = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), ['server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      // vitest sets NODE_ENV=test, which would make the server's Vite build bundle React's development code.
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DEMO: '1',
      DEMO_LINES: String(demoLines),
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 240_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('dashboard: ')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${output}`))
    })
  })
  const base = `http://127.0.0.1:${port}`
  return {
    base,
    adminKey,
    output: () => output,
    async api<T>(pathname: string, key = adminKey, init: RequestInit = {}): Promise<T> {
      const headers = new Headers(init.headers)
      headers.set('authorization', `Bearer ${key}`)
      const response = await fetch(base + pathname, { ...init, headers })
      const text = await response.text()
      if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${pathname}: ${response.status} ${text}`)
      return JSON.parse(text) as T
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
