import type { ApiKeyInfo, AuditAction } from '../contract.ts'
import type { Db } from '../db/createDb.ts'

export interface AuditRecord {
  /** The acting API key's id (never its secret); 'cli' for the command line, 'startup' for start-up seeding. */
  keyId: string
  action: AuditAction
  /** What was acted on: a key id, segment id, offer id, or an erasure's own id (never anything of the person). */
  target: string
  /** The merchant the action concerns; omit when it concerns no single merchant. */
  merchantId?: string
  /** A small JSON object describing the change; it must never hold a raw customer id or a secret. */
  details?: Record<string, unknown>
}

/** Appends one entry to the audit log (docs/audit.md). Call it after the action succeeded. */
export async function recordAudit(db: Db, entry: AuditRecord): Promise<void> {
  await db.client.insert({
    table: 'audit_log',
    format: 'JSONEachRow',
    values: [
      {
        merchant_id: entry.merchantId ?? '',
        key_id: entry.keyId,
        action: entry.action,
        target: entry.target,
        details: JSON.stringify(entry.details ?? {}),
      },
    ],
  })
}

/** The entry for a new API key: its id, role and merchants, never its secret. */
export function keyCreatedEntry(byKeyId: string, key: ApiKeyInfo): AuditRecord {
  return {
    keyId: byKeyId,
    action: 'key.created',
    target: key.keyId,
    details: { role: key.role, merchantIds: key.merchantIds, name: key.name },
  }
}

/** The entry for an erasure: its own id and what it changed, never the raw id, pseudonym or number. */
export function customerErasedEntry(
  byKeyId: string,
  merchantId: string,
  outcome: { erasureId: string; linesAnonymised: number; localMonths: number; tables: string[] },
): AuditRecord {
  return {
    keyId: byKeyId,
    action: 'customer.erased',
    target: outcome.erasureId,
    merchantId,
    details: {
      linesAnonymised: outcome.linesAnonymised,
      localMonths: outcome.localMonths,
      tables: outcome.tables,
    },
  }
}
