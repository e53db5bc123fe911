import type { AddressInfo } from 'node:net'
import { pino } from 'pino'
import { createApp, type AppOptions } from '../../server/app.ts'
import { createKey } from '../../server/auth/apiKeys.ts'
import type { CreateKeyRequest } from '../../server/contract.ts'
import type { Db } from '../../server/db/createDb.ts'

/** The pseudonym key of every test app, so tests can compute the expected customer_key. */
export const testPseudonymKey = 'test-pseudonym-key-0123456789'

/** Starts the real app on 127.0.0.1 with an ephemeral port; returns its base URL and a fetch helper. */
export async function startTestApp(
  db: Db,
  overrides: Partial<AppOptions['limits']> = {},
  options: Pick<AppOptions, 'segmentMembership' | 'wallet'> = {},
) {
  const limits = {
    ratePerMinute: 10_000,
    jsonBytes: 1_048_576,
    ingestBytes: 64 << 20,
    rangeDays: 1100,
    ...overrides,
  }
  const app = createApp({
    db,
    logger: pino({ level: 'silent' }),
    limits,
    pseudonymKey: testPseudonymKey,
    ...options,
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    base,
    async call(pathname: string, init: RequestInit & { key?: string; json?: unknown } = {}) {
      const headers = new Headers(init.headers)
      if (init.key) headers.set('authorization', `Bearer ${init.key}`)
      if (init.json !== undefined) headers.set('content-type', 'application/json')
      const response = await fetch(base + pathname, {
        ...init,
        headers,
        body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
      })
      const text = await response.text()
      let body: unknown = text
      try {
        body = JSON.parse(text)
      } catch {
        // not JSON (CSV or HTML): keep the text
      }
      return { status: response.status, headers: response.headers, body: body as never }
    },
    key: async (request: Partial<CreateKeyRequest> & Pick<CreateKeyRequest, 'role'>) =>
      (await createKey(db, { name: '', ...request })).key,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
export type TestApp = Awaited<ReturnType<typeof startTestApp>>
