import fs from 'node:fs'
import path from 'node:path'

/** Newest modification time of any file under dir, or of dir itself when it is a file (ms); 0 when missing. */
function newestMtime(dir: string): number {
  if (!fs.existsSync(dir)) return 0
  if (fs.statSync(dir).isFile()) return fs.statSync(dir).mtimeMs
  let newest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

/** Builds the dashboard with Vite when dist/web is missing or older than its sources; returns dist/web. */
export async function ensureWebBuilt(root: string, log: (message: string) => void): Promise<string> {
  const outDir = path.join(root, 'dist', 'web')
  const built = path.join(outDir, 'index.html')
  const sources = Math.max(
    newestMtime(path.join(root, 'web')),
    newestMtime(path.join(root, 'server', 'contract.ts')),
  )
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return outDir
  log('building the dashboard (first start or changed sources)...')
  const { build } = await import('vite')
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' })
  return outDir
}
