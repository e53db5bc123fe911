import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export interface ClickHouseTestServer {
  url: string
  user: string
  password: string
  /** The server's own data directory: nothing the client writes is there. */
  dataDir: string
  stop(): Promise<void>
}

const processFile = fileURLToPath(new URL('./clickHouseTestServerProcess.ts', import.meta.url))

/**
 * Starts the stand-in ClickHouse server (clickHouseTestServerProcess.ts) in a child process with a data
 * directory of its own, on an ephemeral port of 127.0.0.1, with a user and password it checks.
 */
export async function startClickHouseTestServer(): Promise<ClickHouseTestServer> {
  const user = 'tillsight_test'
  const password = randomBytes(12).toString('hex')
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', processFile, JSON.stringify({ user, password })],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const lines = createInterface({ input: child.stdout })
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve)
    child.once('exit', (code, signal) =>
      reject(new Error(`the ClickHouse test server exited before listening (${signal ?? code})`)),
    )
  })
  const { port, dataDir } = JSON.parse(first) as { port: number; dataDir: string }
  return {
    url: `http://127.0.0.1:${port}`,
    user,
    password,
    dataDir,
    async stop() {
      child.kill('SIGTERM')
      await exited
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
