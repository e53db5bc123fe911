import { createHash, randomBytes } from 'node:crypto'
import type { ApiKeyInfo, CreatedKey, CreateKeyRequest, Role } from '../contract.ts'
import type { Db } from '../db/createDb.ts'
import { createRefreshAheadCache } from '../refreshAheadCache.ts'

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
 * Resolves a presented secret to its principal. Look-ups are kept for cacheMs (refreshAheadCache.ts: a
 * key in use is looked up again ahead of expiry, requests with the same key share one look-up, a revoked
 * key stops within cacheMs of the read that last saw it), so a busy wallet route does not query the key
 * table on every request.
 */
export function createKeyVerifier(db: Db, cacheMs = 5_000) {
  const principals = createRefreshAheadCache({ ttlMs: cacheMs, maxEntries: 10_000 })
  return async function verify(secret: string): Promise<Principal | undefined> {
    if (secret.length > 200) return undefined
    const hash = hashKey(secret)
    return principals.get(hash, () => lookUp(db, hash))
  }
}

async function lookUp(db: Db, hash: string): Promise<Principal | undefined> {
  const result = await db.client.query({
    query: `SELECT key_id, role, merchant_ids FROM api_keys FINAL
            WHERE key_hash = {hash:String} AND revoked_at IS NULL LIMIT 1`,
    query_params: { hash },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<Pick<KeyRow, 'key_id' | 'role' | 'merchant_ids'>>()
  return row ? { keyId: row.key_id, role: row.role, merchantIds: row.merchant_ids } : undefined
}
export type KeyVerifier = ReturnType<typeof createKeyVerifier>
