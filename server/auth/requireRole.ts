import type { NextFunction, Request, Response } from 'express'
import type { Role } from '../contract.ts'
import { HttpError } from '../httpError.ts'
import type { KeyVerifier, Principal } from './apiKeys.ts'

/** Authenticates the bearer key and admits only the given roles; the principal lands in res.locals. */
export function requireRole(verify: KeyVerifier, ...roles: Role[]) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? ''
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match?.[1])
      throw new HttpError(401, 'unauthorized', 'send an API key as "Authorization: Bearer <key>"')
    const principal = await verify(match[1])
    if (!principal) throw new HttpError(401, 'unauthorized', 'this API key is unknown or revoked')
    if (!roles.includes(principal.role))
      throw HttpError.forbidden(`this route is not open to ${principal.role} keys`)
    res.locals.principal = principal
    next()
  }
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined
  if (!principal) throw new Error('route is missing requireRole')
  return principal
}

/** Merchants the principal may see: undefined means all (admin). */
export function visibleMerchants(principal: Principal): string[] | undefined {
  return principal.role === 'admin' ? undefined : principal.merchantIds
}

/**
 * The tenant scope of a request for merchant m. A merchant the key may not see answers 404, exactly like
 * a merchant that does not exist, so keys cannot probe for other tenants.
 */
export function merchantScope(principal: Principal, merchantId: string): string {
  const visible = visibleMerchants(principal)
  if (visible && !visible.includes(merchantId)) throw HttpError.notFound(`merchant ${merchantId} not found`)
  return merchantId
}
