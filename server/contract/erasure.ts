/** Contract of erasure: an admin removes a person from one merchant's data (docs/erasure.md). */
import { z } from 'zod'
import { MerchantId, type Endpoint } from './foundation.ts'

export const ErasureRequest = z
  .object({
    merchantId: MerchantId,
    customerId: z
      .string()
      .min(1)
      .max(500)
      .describe(
        'The raw customer id as the merchant sends it; pseudonymised at once, never stored or logged',
      ),
  })
  .strict()
export type ErasureRequest = z.infer<typeof ErasureRequest>

export const ErasureResult = z.object({
  erasureId: z.string().describe('Names the erasure in the audit log; says nothing about the person'),
  merchantId: z.string(),
  linesAnonymised: z.number().int().describe('Lines kept for the sales totals, without the customer'),
  localMonths: z.number().int().describe('Local months whose rollups were rebuilt'),
  tables: z.array(z.string()).describe('Other tables that held something of the person'),
})
export type ErasureResult = z.infer<typeof ErasureResult>

export const erasureEndpoints = [
  {
    method: 'post',
    path: '/api/v1/admin/erasures',
    summary: "Erase a customer from a merchant's data: pseudonym, number and memberships; sales totals stay",
    roles: ['admin'],
    body: ErasureRequest,
    response: ErasureResult,
  },
] as const satisfies readonly Endpoint[]
