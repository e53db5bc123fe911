import fs from 'node:fs'
import path from 'node:path'

export class DataDirBusyError extends Error {}

/**
 * Claims DATA_DIR for this process: the embedded engine may be opened by one process at a time, and two
 * engines on one directory corrupt it. The lock is a pid file; a lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  try {
    fs.mkdirSync(dataDir, { recursive: true })
    fs.accessSync(dataDir, fs.constants.W_OK)
  } catch {
    throw new DataDirBusyError(
      `DATA_DIR ${path.resolve(dataDir)} is not writable: choose a directory you can write`,
    )
  }
  const lockFile = path.join(dataDir, 'tillsight.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' })
      return () => fs.rmSync(lockFile, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = Number(fs.readFileSync(lockFile, 'utf8'))
      if (holder !== process.pid && isAlive(holder)) {
        throw new DataDirBusyError(
          `DATA_DIR ${path.resolve(dataDir)} is in use by process ${holder}: stop it (or use its API with --server), or choose another DATA_DIR`,
        )
      }
      fs.rmSync(lockFile, { force: true })
    }
  }
  throw new DataDirBusyError(`could not lock DATA_DIR ${path.resolve(dataDir)}`)
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
