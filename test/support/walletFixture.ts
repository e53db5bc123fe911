import path from 'node:path'
import type { AppOptions } from '../../server/app.ts'
import type { SegmentMembership } from '../../server/segments/segmentMembership.ts'
import { createWalletService, type WalletServiceOptions } from '../../server/wallet/walletService.ts'
import { startTestApp, testPseudonymKey, type TestApp } from './testApp.ts'
import type { createTestDb } from './testDb.ts'

export type TestDb = Awaited<ReturnType<typeof createTestDb>>

/**
 * The real app with a started wallet service whose journal lives in the test's data dir. `restart` closes
 * app and service and starts both again on the same database and journal, as a server restart would.
 */
export async function startWalletApp(
  db: TestDb,
  options: {
    limits?: Partial<AppOptions['limits']>
    service?: Partial<Omit<WalletServiceOptions, 'db' | 'pseudonymKey' | 'journalDir' | 'segments'>>
    /** Shared by the app (segment routes refresh it) and the wallet (offers test it). */
    membership?: SegmentMembership
  } = {},
) {
  const journalDir = path.join(db.dir, 'wallet-journal')
  const start = async () => {
    const wallet = createWalletService({
      db,
      pseudonymKey: testPseudonymKey,
      journalDir,
      flushMs: 60_000,
      segments: options.membership,
      ...options.service,
    })
    await wallet.start()
    const app = await startTestApp(db, options.limits, { wallet, segmentMembership: options.membership })
    return { wallet, app }
  }
  let running = await start()
  const handle = {
    get app(): TestApp {
      return running.app
    },
    get wallet() {
      return running.wallet
    },
    journalDir,
    async close() {
      await running.app.close()
      await running.wallet.close()
    },
    async restart() {
      await handle.close()
      running = await start()
    },
  }
  return handle
}
