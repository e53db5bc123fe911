/** Contract of the foundation routes: health, keys, merchants, and the shared building blocks. */
import { z } from 'zod'

export const MerchantId = z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must match [a-z0-9_-]{1,64}')
export type MerchantId = z.infer<typeof MerchantId>

export const Role = z.enum(['admin', 'merchant', 'marketer', 'wallet'])
export type Role = z.infer<typeof Role>

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
})
export type ErrorBody = z.infer<typeof ErrorBody>

export const Health = z.object({
  status: z.enum(['ok', 'unavailable']),
  mode: z.enum(['embedded', 'remote']),
})
export type Health = z.infer<typeof Health>

export const CreateKeyRequest = z
  .object({
    role: Role,
    merchantId: MerchantId.optional(),
    merchantIds: z.array(MerchantId).min(1).max(1000).optional(),
    name: z.string().max(200).default(''),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.role === 'merchant' && !body.merchantId) {
      ctx.addIssue({ code: 'custom', path: ['merchantId'], message: 'a merchant key needs merchantId' })
    }
    if (body.role === 'marketer' && !body.merchantId && !body.merchantIds) {
      ctx.addIssue({ code: 'custom', path: ['merchantIds'], message: 'a marketer key needs merchantIds' })
    }
  })
export type CreateKeyRequest = z.infer<typeof CreateKeyRequest>

export const ApiKeyInfo = z.object({
  keyId: z.string(),
  role: Role,
  merchantIds: z.array(z.string()),
  name: z.string(),
  createdAt: z.string(),
  revoked: z.boolean(),
})
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>

export const CreatedKey = ApiKeyInfo.extend({
  key: z.string().describe('The secret, shown this once; only its hash is stored.'),
})
export type CreatedKey = z.infer<typeof CreatedKey>

export const KeyList = z.object({ rows: z.array(ApiKeyInfo) })
export type KeyList = z.infer<typeof KeyList>

export const Whoami = z.object({ keyId: z.string(), role: Role, merchantIds: z.array(z.string()) })
export type Whoami = z.infer<typeof Whoami>

export const Merchant = z.object({
  merchantId: z.string(),
  name: z.string(),
  currency: z.string(),
  timezone: z.string(),
  stores: z.number().int(),
  cities: z.array(z.string()),
  lastSaleAt: z.string().nullable(),
})
export type Merchant = z.infer<typeof Merchant>

export const MerchantList = z.object({ rows: z.array(Merchant) })
export type MerchantList = z.infer<typeof MerchantList>

export const Store = z.object({
  storeId: z.string(),
  name: z.string(),
  city: z.string(),
  country: z.string(),
  timezone: z.string(),
  currency: z.string(),
  lat: z.number(),
  lon: z.number(),
})
export type Store = z.infer<typeof Store>

export const StoreList = z.object({ rows: z.array(Store) })
export type StoreList = z.infer<typeof StoreList>

/** One documented route; the OpenAPI document is generated from the list of these. */
export interface Endpoint {
  method: 'get' | 'post' | 'patch' | 'delete'
  path: string
  summary: string
  roles: readonly Role[] | 'public'
  query?: z.ZodObject
  body?: z.ZodType
  response: z.ZodType
  /** Non-JSON request bodies (ingest) name their media types here. */
  bodyMediaTypes?: readonly string[]
}

export const foundationEndpoints = [
  { method: 'get', path: '/healthz', summary: 'Liveness', roles: 'public', response: Health },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: the database answers',
    roles: 'public',
    response: Health,
  },
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This document',
    roles: 'public',
    response: z.object({}),
  },
  {
    method: 'get',
    path: '/api/v1/whoami',
    summary: 'The calling key',
    roles: Role.options,
    response: Whoami,
  },
  {
    method: 'post',
    path: '/api/v1/keys',
    summary: 'Create an API key; the secret is returned once',
    roles: ['admin'],
    body: CreateKeyRequest,
    response: CreatedKey,
  },
  {
    method: 'get',
    path: '/api/v1/keys',
    summary: 'List API keys (never their secrets)',
    roles: ['admin'],
    response: KeyList,
  },
  {
    method: 'delete',
    path: '/api/v1/keys/{keyId}',
    summary: 'Revoke an API key',
    roles: ['admin'],
    response: ApiKeyInfo,
  },
  {
    method: 'get',
    path: '/api/v1/merchants',
    summary: 'Merchants visible to the key',
    roles: ['admin', 'merchant', 'marketer'],
    response: MerchantList,
  },
  {
    method: 'get',
    path: '/api/v1/merchants/{merchantId}/stores',
    summary: 'Stores of a merchant (for filters and maps)',
    roles: ['admin', 'merchant', 'marketer'],
    response: StoreList,
  },
] as const satisfies readonly Endpoint[]
