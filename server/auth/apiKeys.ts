import { createHash, randomBytes } from 'node:crypto'
import type { ApiKeyInfo, CreatedKey, CreateKeyRequest, Role } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

/** Who is calling, as the API key says. merchantIds is empty for admin (all merchants). */
export interface Principal {
  keyId: string
  role: Role
  merchantIds: string[]
}

const keyPattern = /^ts_([0-9a-f]{12})_[A-Za-z0-9_-]{32,}$/

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

interface KeyRow {
  key_id: string
  role: Role
  merchant_id: string
  merchant_ids: string[]
  name: string
  created_at: string
  revoked: number
}

function toInfo(row: KeyRow): ApiKeyInfo {
  return {
    keyId: row.key_id,
    role: row.role,
    merchantIds: row.merchant_ids,
    name: row.name,
    createdAt: row.created_at.replace(' ', 'T') + 'Z',
    revoked: row.revoked === 1,
  }
}

const latestKeys = `
  SELECT key_id, role, merchant_id, merchant_ids, name, created_at, revoked_at IS NOT NULL AS revoked
  FROM api_keys FINAL`

export async function createKey(db: Db, request: CreateKeyRequest, secret?: string): Promise<CreatedKey> {
  const keyId = secret
    ? (keyPattern.exec(secret)?.[1] ?? hashKey(secret).slice(0, 12))
    : randomBytes(6).toString('hex')
  const key = secret ?? `ts_${keyId}_${randomBytes(24).toString('base64url')}`
  const merchantIds =
    request.role === 'admin' || request.role === 'wallet'
      ? (request.merchantIds ?? [])
      : [...new Set([...(request.merchantId ? [request.merchantId] : []), ...(request.merchantIds ?? [])])]
  await db.client.insert({
    table: 'api_keys',
    format: 'JSONEachRow',
    values: [
      {
        merchant_id: merchantIds[0] ?? '',
        key_id: keyId,
        key_hash: hashKey(key),
        role: request.role,
        merchant_ids: merchantIds,
        name: request.name,
      },
    ],
  })
  const created = await findKey(db, keyId)
  if (!created) throw new Error(`key ${keyId} was not stored`)
  return { ...created, key }
}

export async function findKey(db: Db, keyId: string): Promise<ApiKeyInfo | undefined> {
  const result = await db.client.query({
    query: `${latestKeys} WHERE key_id = {keyId:String}`,
    query_params: { keyId },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<KeyRow>()
  return row ? toInfo(row) : undefined
}

export async function listKeys(db: Db): Promise<ApiKeyInfo[]> {
  const result = await db.client.query({ query: `${latestKeys} ORDER BY created_at`, format: 'JSONEachRow' })
  return (await result.json<KeyRow>()).map(toInfo)
}

export async function revokeKey(db: Db, keyId: string): Promise<ApiKeyInfo | undefined> {
  await db.client.command({
    query: `INSERT INTO api_keys (merchant_id, key_id, key_hash, role, merchant_ids, name, created_at, revoked_at)
            SELECT merchant_id, key_id, key_hash, role, merchant_ids, name, created_at, now64(3)
            FROM api_keys FINAL WHERE key_id = {keyId:String} AND revoked_at IS NULL`,
    query_params: { keyId },
  })
  return findKey(db, keyId)
}

/**
 * Resolves a presented secret to its principal. Lookups are cached briefly (a revoked key stops working
 * within cacheMs) so a busy wallet route does not query the key table on every request.
 */
export function createKeyVerifier(db: Db, cacheMs = 5_000) {
  const cache = new Map<string, { principal: Principal | undefined; until: number }>()
  // Requests with the same key while its look-up runs share it: ten dashboards opening at once would
  // otherwise queue ten bound statements (chdb runs those one at a time).
  const looking = new Map<string, Promise<Principal | undefined>>()
  return async function verify(secret: string): Promise<Principal | undefined> {
    if (secret.length > 200) return undefined
    const hash = hashKey(secret)
    const hit = cache.get(hash)
    const left = hit ? hit.until - Date.now() : 0
    if (hit && left > 0) {
      // A key in use is looked up again ahead of expiry, so its requests never wait for the database
      // (a look-up queues behind every other bound statement); a revoked key still stops within cacheMs.
      if (left < cacheMs / 2) shared(hash).catch(() => undefined)
      return hit.principal
    }
    return shared(hash)
  }
  function shared(hash: string): Promise<Principal | undefined> {
    let pending = looking.get(hash)
    if (!pending) {
      pending = lookUp(hash).finally(() => looking.delete(hash))
      looking.set(hash, pending)
    }
    return pending
  }
  async function lookUp(hash: string): Promise<Principal | undefined> {
    // The answer is as old as the read's start: a key revoked while it runs still stops within cacheMs.
    const started = Date.now()
    const result = await db.client.query({
      query: `SELECT key_id, role, merchant_ids FROM api_keys FINAL
              WHERE key_hash = {hash:String} AND revoked_at IS NULL LIMIT 1`,
      query_params: { hash },
      format: 'JSONEachRow',
    })
    const [row] = await result.json<Pick<KeyRow, 'key_id' | 'role' | 'merchant_ids'>>()
    const principal = row ? { keyId: row.key_id, role: row.role, merchantIds: row.merchant_ids } : undefined
    if (cache.size > 10_000) cache.clear()
    cache.set(hash, { principal, until: started + cacheMs })
    return principal
  }
}
export type KeyVerifier = ReturnType<typeof createKeyVerifier>
