import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-start-'))
const children: ChildProcess[] = []

/** Runs the real server entry point; resolves on its "ready" line or on exit, with everything it printed. */
function start(
  env: Record<string, string>,
): Promise<{ out: string; code: number | null; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: os.tmpdir(),
      DEMO: '0',
      WEB: '0',
      PORT: '0',
      LOG_LEVEL: 'silent',
      ...env,
    },
  })
  children.push(child)
  let out = ''
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('sign in with')) resolve({ out, code: null, child })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => resolve({ out, code, child }))
  })
}

afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('start-up', () => {
  it('starts, prints where it listens and how to sign in, and refuses a second start on the same data dir', async () => {
    const first = await start({ DATA_DIR: dataDir })
    expect(first.code).toBeNull()
    expect(first.out).toMatch(/tillsight: ready in \d+ ms on embedded ClickHouse in /)
    expect(first.out).toMatch(/sign in with the admin key ts_[0-9a-f]{12}_\S+ \(kept in .*admin-api-key\)/)
    const key = /admin key (\S+)/.exec(first.out)?.[1]
    expect(fs.readFileSync(path.join(dataDir, 'admin-api-key'), 'utf8').trim()).toBe(key)
    // Seeding the key is the audit log's first entry, by 'startup', naming the key by its id only.
    const api = /API: (\S+)/.exec(first.out)?.[1]
    const audit = await fetch(`${api}/audit`, { headers: { authorization: `Bearer ${key}` } })
    expect(await audit.json()).toMatchObject({
      rows: [
        {
          keyId: 'startup',
          action: 'key.created',
          target: key?.split('_')[1],
          details: { role: 'admin', merchantIds: [], name: 'generated admin key' },
        },
      ],
      nextOffset: null,
    })

    const second = await start({ DATA_DIR: dataDir })
    expect(second.code).toBe(1)
    expect(second.out.trim()).toBe(
      `tillsight: cannot start: DATA_DIR ${dataDir} is in use by process ${first.child.pid}: stop it (or use its API with --server), or choose another DATA_DIR`,
    )

    // A clean stop releases the data dir; the next start reuses the saved admin key.
    first.child.kill('SIGTERM')
    await new Promise((resolve) => first.child.once('exit', resolve))
    const third = await start({ DATA_DIR: dataDir })
    expect(third.out).toContain(`sign in with the admin key ${key}`)
    third.child.kill('SIGTERM')
    await new Promise((resolve) => third.child.once('exit', resolve))
  })

  it('starts right after the holder was killed with SIGKILL, whatever a lock file left behind says', async () => {
    const killedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tillsight-killed-'))
    try {
      const first = await start({ DATA_DIR: killedDir })
      expect(first.code).toBeNull()
      first.child.kill('SIGKILL')
      // No wait for the exit: a supervisor restarts at once, while the kernel may still be tearing it down.
      const restarted = await start({ DATA_DIR: killedDir })
      expect(restarted.code, restarted.out).toBeNull()
      expect(restarted.out).toContain('tillsight: ready in')
      restarted.child.kill('SIGTERM')
      await new Promise((resolve) => restarted.child.once('exit', resolve))

      // A pid file of the old kind naming a live, unrelated process (a pid reused after a container restart).
      const unrelated = spawn('sleep', ['60'])
      children.push(unrelated)
      fs.writeFileSync(path.join(killedDir, 'tillsight.lock'), String(unrelated.pid))
      const afterReuse = await start({ DATA_DIR: killedDir })
      expect(afterReuse.code, afterReuse.out).toBeNull()
      afterReuse.child.kill('SIGTERM')
      await new Promise((resolve) => afterReuse.child.once('exit', resolve))
    } finally {
      fs.rmSync(killedDir, { recursive: true, force: true })
    }
  })

  it.each([
    [
      { PORT: 'eighty' },
      'tillsight: cannot start: invalid configuration: PORT: Invalid input: expected number, received NaN',
    ],
    [
      { DEMO: 'maybe' },
      'tillsight: cannot start: invalid configuration: DEMO: Invalid option: expected one of "0"|"1"|"true"|"false"',
    ],
    [
      { CLICKHOUSE_URL: 'not a url' },
      'tillsight: cannot start: invalid configuration: CLICKHOUSE_URL: Invalid URL',
    ],
    [
      { DATA_DIR: '/etc/hostname/data' },
      'tillsight: cannot start: DATA_DIR /etc/hostname/data is not writable: choose a directory you can write',
    ],
  ])('stops on bad configuration %o with one clear line', async (env, line) => {
    const run = await start({ DATA_DIR: dataDir, ...env })
    expect(run.code).toBe(1)
    expect(run.out.trim()).toBe(line)
  })
})
