import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { keyCreatedEntry, recordAudit } from '../audit/recordAudit.ts'
import type { Db } from '../db/createDb.ts'
import { createKeyVerifier, createKey } from './apiKeys.ts'

export interface SeededAdminKey {
  key: string
  source: 'ADMIN_API_KEY' | 'generated' | 'saved'
  /** Where a generated key is kept for the operator (readable by the owner only). */
  file?: string
}

/**
 * Makes sure an admin can sign in: ADMIN_API_KEY when given; otherwise a key generated on first start and
 * saved to DATA_DIR/admin-api-key (mode 0600), so the operator can read it again after a restart.
 */
export async function seedAdminKey(
  db: Db,
  adminApiKey: string | undefined,
  dataDir: string,
): Promise<SeededAdminKey> {
  const verify = createKeyVerifier(db, 0)
  const store = async (key: string, name: string) => {
    const created = await createKey(db, { role: 'admin', name }, key)
    await recordAudit(db, keyCreatedEntry('startup', created))
  }
  if (adminApiKey) {
    if (!(await verify(adminApiKey))) await store(adminApiKey, 'ADMIN_API_KEY')
    return { key: adminApiKey, source: 'ADMIN_API_KEY' }
  }
  const file = path.join(dataDir, 'admin-api-key')
  if (fs.existsSync(file)) {
    const saved = fs.readFileSync(file, 'utf8').trim()
    if (!(await verify(saved))) await store(saved, 'generated admin key')
    return { key: saved, source: 'saved', file }
  }
  const key = `ts_${randomBytes(6).toString('hex')}_${randomBytes(24).toString('base64url')}`
  await store(key, 'generated admin key')
  fs.mkdirSync(dataDir, { recursive: true })
  fs.writeFileSync(file, key + '\n', { mode: 0o600 })
  return { key, source: 'generated', file }
}
