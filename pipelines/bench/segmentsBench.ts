/**
 * Benchmark of the segment builder's live size (not a test): loads the generated demo data set (its cities,
 * tourists, regulars and FX rates) at the given size, then times POST /api/v1/segments/preview for ten
 * rule sets a marketer typically builds: p50/p95 over repeated HTTP calls after two untimed ones. Then
 * refreshes the demo's saved segments and times the wallet's membership test, has().
 *
 *   npm run bench -- segments [--lines 1000000] [--repeat 20] [--data-dir /tmp/x] [--keep]
 */
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Command } from 'commander'
import { pino } from 'pino'
import { createApp } from '../../server/app.ts'
import { createKey } from '../../server/auth/apiKeys.ts'
import type { SegmentPreviewRequest } from '../../server/contract.ts'
import { createDb, type Db } from '../../server/db/createDb.ts'
import { migrate } from '../../server/db/migrate.ts'
import { demoStores } from '../../server/demo/demoCatalog.ts'
import { isStoreEmpty } from '../../server/demo/isStoreEmpty.ts'
import { loadDemoData } from '../../server/demo/loadDemoData.ts'
import { listSavedSegments } from '../../server/queries/savedSegments.ts'
import { createSegmentMembership } from '../../server/segments/segmentMembership.ts'

const hongKongStores = (merchantIds: string[]) =>
  demoStores.filter((s) => s.city === 'hkg' && merchantIds.includes(s.merchantId)).map((s) => s.storeId)

/** Ten rule sets as a marketer builds them, from one broad rule to narrow combinations. */
const ruleSets: { name: string; request: SegmentPreviewRequest }[] = [
  { name: 'everyone (no rules)', request: { merchantIds: ['brewline'], rules: {} } },
  {
    name: 'Chinese tourists',
    request: { merchantIds: ['harbour-metro'], rules: { visitor: 'tourist', homeCountries: ['CN'] } },
  },
  {
    name: 'tourists from 5 countries at 2 merchants',
    request: {
      merchantIds: ['harbour-metro', 'jade-garden'],
      rules: { visitor: 'tourist', homeCountries: ['CN', 'US', 'JP', 'KR', 'GB'] },
    },
  },
  {
    name: 'spent over 100 USD in 90 days (FX)',
    request: { merchantIds: ['jade-garden'], rules: { spend: { min: 100, currency: 'USD', days: 90 } } },
  },
  {
    name: 'visits 3+ in 30 days',
    request: { merchantIds: ['brewline'], rules: { visits: { min: 3, days: 30 } } },
  },
  {
    name: 'lapsed regulars',
    request: {
      merchantIds: ['brewline'],
      rules: { visits: { min: 6, days: 365 }, notSeenForDays: 90 },
    },
  },
  {
    name: 'top 10% spenders over a year',
    request: { merchantIds: ['maison-lumiere'], rules: { spendRank: { topPercent: 10, days: 365 } } },
  },
  {
    name: 'QR wallets in Hong Kong stores, seen in 30 days',
    request: {
      merchantIds: ['jade-garden', 'brewline'],
      rules: {
        wallets: ['alipay', 'wechat_pay'],
        stores: hongKongStores(['jade-garden', 'brewline']),
        lastSeenWithinDays: 30,
      },
    },
  },
  {
    name: 'tourists buying a category with a spend band',
    request: {
      merchantIds: ['maison-lumiere'],
      rules: {
        visitor: 'tourist',
        categories: ['accessories'],
        spend: { min: 100, max: 2000, currency: 'EUR', days: 180 },
      },
    },
  },
  {
    name: 'all four merchants: top 20% locals paying by phone',
    request: {
      merchantIds: ['brewline', 'maison-lumiere', 'harbour-metro', 'jade-garden'],
      rules: {
        visitor: 'local',
        paymentMethods: ['nfc'],
        spendRank: { topPercent: 20, days: 180 },
        spend: { currency: 'USD', days: 180 },
      },
    },
  },
]

/** Refreshes the demo's saved segments and times has() over known customer keys and a share of misses. */
async function membershipFigures(db: Db): Promise<string> {
  const membership = createSegmentMembership(db, { limits: { rangeDays: 1100 } })
  const started = performance.now()
  await membership.refresh()
  const refreshMs = performance.now() - started
  const segments = await listSavedSegments(db)
  const keys = (
    await (
      await db.client.query({
        query: `SELECT DISTINCT customer_key AS k FROM transactions WHERE customer_key != '' LIMIT 20000`,
        format: 'JSONEachRow',
      })
    ).json<{ k: string }>()
  ).map((r) => r.k)
  const lookups = 1_000_000
  let found = 0
  const timed = performance.now()
  for (let i = 0; i < lookups; i++) {
    const segment = segments[i % segments.length]
    if (segment && membership.has(segment.id, keys[i % keys.length] ?? '')) found++
  }
  const perLookupUs = ((performance.now() - timed) * 1000) / lookups
  const members = segments.reduce((sum, s) => sum + (s.members ?? 0), 0)
  return `membership: ${segments.length} saved segments (${members.toLocaleString()} members in all) refreshed in ${(refreshMs / 1000).toFixed(1)} s; has(): ${perLookupUs.toFixed(2)} µs per lookup over ${lookups.toLocaleString()} lookups (${found.toLocaleString()} members found)`
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

export async function runSegmentsBench(argv: string[]): Promise<void> {
  const options = new Command('segments')
    .description('time the segment preview for ten typical rule sets on the demo data')
    .option('--lines <n>', 'demo transaction lines to generate', (v) => Number(v), 1_000_000)
    .option('--repeat <n>', 'timed calls per rule set', (v) => Number(v), 20)
    .option(
      '--data-dir <dir>',
      'where the bench engine keeps its data',
      path.join(os.tmpdir(), 'tillsight-bench-segments'),
    )
    .option('--keep', 'keep the generated data for the next run', false)
    .parse(argv, { from: 'user' })
    .opts<{ lines: number; repeat: number; dataDir: string; keep: boolean }>()
  const say = (m: string) => console.log(`bench segments: ${m}`)

  const db = await createDb({ mode: 'embedded', dataDir: options.dataDir })
  try {
    await migrate(db)
    if (await isStoreEmpty(db)) {
      const loaded = await loadDemoData(db, { lines: options.lines })
      say(`loaded ${loaded.lines.toLocaleString()} demo lines in ${(loaded.ms / 1000).toFixed(0)} s`)
    } else say('reusing the demo data in the data dir')
    const [size] = await (
      await db.client.query({
        query: `SELECT count() AS lines, uniqExact(customer_key) AS customers FROM transactions`,
        format: 'JSONEachRow',
      })
    ).json<{ lines: number; customers: number }>()

    const app = createApp({
      db,
      logger: pino({ level: 'silent' }),
      limits: { ratePerMinute: 1_000_000, jsonBytes: 1_048_576, ingestBytes: 1 << 30, rangeDays: 1100 },
      pseudonymKey: 'bench-pseudonym-key-0123456789',
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const { key } = await createKey(db, { role: 'admin', name: 'bench' })

    const table = [
      `| rule set (${size?.lines.toLocaleString()} lines, ${size?.customers.toLocaleString()} customer keys) | size | p50 ms | p95 ms |`,
      '|---|---:|---:|---:|',
    ]
    try {
      const all: number[] = []
      for (const { name, request } of ruleSets) {
        const times: number[] = []
        let shown = ''
        for (let i = -2; i < options.repeat; i++) {
          const started = performance.now()
          const response = await fetch(`${base}/api/v1/segments/preview`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify(request),
          })
          const body = await response.text()
          const elapsed = performance.now() - started
          if (response.status !== 200) throw new Error(`${name} answered ${response.status}: ${body}`)
          shown = String((JSON.parse(body) as { size: number | null }).size ?? 'suppressed')
          if (i >= 0) times.push(elapsed)
        }
        all.push(...times)
        const line = `| ${name} | ${shown} | ${percentile(times, 50).toFixed(0)} | ${percentile(times, 95).toFixed(0)} |`
        table.push(line)
        say(line)
      }
      table.push(
        `| all ${ruleSets.length} rule sets, ${all.length} calls | | ${percentile(all, 50).toFixed(0)} | ${percentile(all, 95).toFixed(0)} |`,
      )
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
    table.push('', await membershipFigures(db))
    console.log(
      `\n${table.join('\n')}\n\nload average: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')}`,
    )
  } finally {
    await db.close()
    if (!options.keep) fs.rmSync(options.dataDir, { recursive: true, force: true })
  }
}
