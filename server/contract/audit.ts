/** Contract of the audit log: administrative actions, readable by admins (docs/audit.md). */
import { z } from 'zod'
import { MerchantId, type Endpoint } from './foundation.ts'

/** Every action the audit log records; code that changes keys, segments, offers or customers names one. */
export const AuditAction = z.enum([
  'key.created',
  'key.revoked',
  'segment.created',
  'segment.updated',
  'segment.deleted',
  'offer.created',
  'offer.updated',
  'offer.deleted',
  'customer.erased',
])
export type AuditAction = z.infer<typeof AuditAction>

export const AuditQuery = z
  .object({
    action: AuditAction.optional(),
    merchantId: MerchantId.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict()
export type AuditQuery = z.infer<typeof AuditQuery>

export const AuditEntry = z.object({
  at: z.string(),
  keyId: z.string().describe("The acting key's id (never its secret); 'cli' for the command line"),
  action: AuditAction,
  merchantId: z.string().describe("The merchant the action concerns; '' when none"),
  target: z.string().describe('What was acted on: a key id, segment id, offer id, ...'),
  details: z.record(z.string(), z.unknown()).describe('Never holds a raw customer id'),
})
export type AuditEntry = z.infer<typeof AuditEntry>

export const AuditList = z.object({
  rows: z.array(AuditEntry),
  nextOffset: z.number().int().nullable().describe('offset of the next page; null on the last page'),
})
export type AuditList = z.infer<typeof AuditList>

export const auditEndpoints = [
  {
    method: 'get',
    path: '/api/v1/audit',
    summary: 'Audit log of administrative actions, newest first',
    roles: ['admin'],
    query: AuditQuery,
    response: AuditList,
  },
] as const satisfies readonly Endpoint[]
