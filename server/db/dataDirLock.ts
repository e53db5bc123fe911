import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export class DataDirBusyError extends Error {}

/** How long a start waits for a holder that is still exiting (a restart right after SIGKILL) to let go. */
const exitingHolderWaitMs = 3_000

/**
 * Opens the embedded engine on DATA_DIR for this process alone. The lock is the engine's own: ClickHouse
 * holds an advisory flock on `<engine dir>/status` while it has the directory open, and the kernel releases
 * it with the process however the process ends (SIGKILL included), so no pid file can go stale or match a
 * reused pid. Before opening, /proc/locks tells whether another live process holds that flock, so the
 * refusal is one line naming it (the engine's own refusal only prints a native message to stderr); a holder
 * that is still exiting gets a few seconds to let go. docs/architecture.md says what this does not cover.
 */
export async function lockDataDir<T>(dataDir: string, open: (engineDir: string) => T): Promise<T> {
  try {
    fs.mkdirSync(dataDir, { recursive: true })
    fs.accessSync(dataDir, fs.constants.W_OK)
  } catch {
    throw new DataDirBusyError(
      `DATA_DIR ${path.resolve(dataDir)} is not writable: choose a directory you can write`,
    )
  }
  const engineDir = path.join(dataDir, 'clickhouse')
  const deadline = Date.now() + exitingHolderWaitMs
  let holder = engineHolder(engineDir)
  while (holder !== undefined && Date.now() < deadline) {
    await sleep(100)
    holder = engineHolder(engineDir)
  }
  if (holder !== undefined) throw busy(dataDir, holder)
  try {
    return open(engineDir)
  } catch (err) {
    // Another process took the directory between the look and the open.
    const late = engineHolder(engineDir)
    throw late === undefined ? err : busy(dataDir, late)
  }
}

function busy(dataDir: string, holder: number): DataDirBusyError {
  // A holder in another pid namespace (another container on the same volume) shows as pid 0 or less.
  const who = holder > 0 ? `process ${holder}` : 'a process outside this container'
  return new DataDirBusyError(
    `DATA_DIR ${path.resolve(dataDir)} is in use by ${who}: stop it (or use its API with --server), or choose another DATA_DIR`,
  )
}

/**
 * The pid of another process holding the engine's flock on engineDir/status, from /proc/locks (lines like
 * `21: FLOCK  ADVISORY  WRITE 13476 fe:00:2161906 0 EOF`: pid, then device major:minor in hex and inode);
 * undefined when nobody else holds it, or where there is no /proc/locks (the open then fails on the lock).
 */
function engineHolder(engineDir: string): number | undefined {
  const status = fs.statSync(path.join(engineDir, 'status'), { throwIfNoEntry: false, bigint: true })
  if (!status) return undefined
  let locks: string
  try {
    locks = fs.readFileSync('/proc/locks', 'utf8')
  } catch {
    return undefined
  }
  // Linux encodes st_dev as minor[19:8] major[11:0] minor[7:0]; /proc/locks prints major and minor in hex.
  const dev = Number(status.dev)
  const major = (dev & 0xfff00) >> 8
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00)
  const hex = (n: number) => n.toString(16).padStart(2, '0')
  const file = `${hex(major)}:${hex(minor)}:${status.ino}`
  for (const line of locks.split('\n')) {
    // Waiters are listed as `N: -> FLOCK ...`, so fields[1] is FLOCK only for a held lock.
    const fields = line.trim().split(/\s+/)
    if (fields[1] !== 'FLOCK' || fields[5] !== file) continue
    const pid = Number(fields[4])
    if (pid !== process.pid) return pid
  }
  return undefined
}
