/**
 * Web budgets, measured (not asserted): the largest JS bundle gzipped, and the first load of Insights on the
 * demo data in headless Chromium, each run in a fresh browser context (empty cache).
 * Run: npx tsx test/e2e/measureWeb.ts   (DEMO_LINES=... to change the demo size; RUNS=... the repetitions)
 */
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { chromium } from 'playwright-core'
import type { MerchantList, Whoami } from '../../server/contract.ts'
import { chromiumOptions } from './launchBrowser.ts'
import { startServer } from './startServer.ts'

const demoLines = Number(process.env.DEMO_LINES ?? 1_000_000)
const runs = Number(process.env.RUNS ?? 5)

function bundleSizes() {
  const dir = path.resolve('dist/web/assets')
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.js') || name.endsWith('.css'))
    .map((name) => {
      const bytes = fs.readFileSync(path.join(dir, name))
      return { name, raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length }
    })
    .sort((a, b) => b.gzip - a.gzip)
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

const server = await startServer(demoLines) // builds dist/web when stale, then loads the demo data
try {
  const sizes = bundleSizes()
  console.log('bundles (gzip -9):')
  for (const size of sizes)
    console.log(
      `  ${size.name.padEnd(36)} ${kb(size.raw).padStart(10)} raw  ${kb(size.gzip).padStart(9)} gzip`,
    )
  const largestJs = sizes.find((s) => s.name.endsWith('.js'))

  const whoami = await server.api<Whoami>('/api/v1/whoami')
  const merchants = await server.api<MerchantList>('/api/v1/merchants')
  const merchantId = merchants.rows[0]?.merchantId
  if (!merchantId) throw new Error('no merchant in the demo data')
  const browser = await chromium.launch(chromiumOptions)
  const times: number[] = []
  const kpiTimes: number[] = []
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })
      await context.addInitScript(
        (stored) => sessionStorage.setItem('tillsight.apiKey', stored),
        JSON.stringify({ key: server.adminKey, whoami }),
      )
      const page = await context.newPage()
      const requests: string[] = []
      page.on('requestfinished', (request) => {
        const url = new URL(request.url())
        const timing = request.timing()
        if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/assets/'))
          requests.push(
            `    ${(timing.responseEnd - timing.requestStart).toFixed(0).padStart(6)} ms  ${url.pathname}${url.search}`,
          )
      })
      const started = performance.now()
      await page.goto(`${server.base}/insights?merchant=${merchantId}`)
      await page.waitForFunction(
        () => document.querySelector('[data-testid="kpis"]')?.getAttribute('data-state') === 'ready',
        undefined,
        { timeout: 60_000 },
      )
      kpiTimes.push(performance.now() - started)
      // Loaded = the KPIs, the trend and the products all show their data.
      await page.waitForFunction(
        () =>
          ['kpis', 'trend', 'products'].every(
            (id) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-state') === 'ready',
          ),
        undefined,
        { timeout: 60_000 },
      )
      times.push(performance.now() - started)
      if (process.env.VERBOSE)
        console.log(`run ${run + 1}: ${times.at(-1)?.toFixed(0)} ms\n${requests.join('\n')}`)
      await context.close()
    }
  } finally {
    await browser.close()
  }
  console.log(`\ndemo lines: ${demoLines}; merchant: ${merchantId}`)
  console.log(`first load of Insights (fresh context, ms): ${times.map((t) => t.toFixed(0)).join(', ')}`)
  console.log(
    `  first run ${times[0]?.toFixed(0)} ms, median ${median(times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms (budget 1500 ms)`,
  )
  console.log(
    `  KPIs shown after (ms): ${kpiTimes.map((t) => t.toFixed(0)).join(', ')}; median ${median(kpiTimes).toFixed(0)} ms`,
  )
  console.log(`largest JS bundle: ${largestJs?.name} ${kb(largestJs?.gzip ?? 0)} gzipped (budget 300 KB)`)
} finally {
  await server.stop()
}
