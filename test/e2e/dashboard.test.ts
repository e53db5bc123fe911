import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page, Request } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type {
  BatchLedger,
  BatchList,
  CreatedKey,
  MerchantList,
  RejectList,
  SalesByProduct,
  Segment,
  SegmentList,
  SegmentPreview,
  SegmentPreviewRequest,
  SegmentProfile,
  Summary,
} from '../../server/contract.ts'
import { launchBrowser } from './launchBrowser.ts'
import { startServer, type RunningServer } from './startServer.ts'

const shots = path.resolve('docs/screenshots')

/** Minimal RFC 4180 reader for the exported files (quoted fields may hold commas and quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"'
      i++
    } else if (c === '"') {
      quoted = !quoted
    } else if (!quoted && c === ',') {
      row.push(field)
      field = ''
    } else if (!quoted && c === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else if (quoted || c !== '\r') {
      field += c
    }
  }
  return rows
}

describe('dashboard in a real browser', () => {
  let server: RunningServer
  let browser: Awaited<ReturnType<typeof launchBrowser>>
  let page: Page
  const consoleErrors: string[] = []
  let merchantId = ''

  /** The JSON the page itself received for a request matching `part`, fetched again from Node to compare. */
  async function apiAnswerOf<T>(
    part: string | RegExp,
    trigger: () => Promise<unknown>,
  ): Promise<{ url: string; body: T }> {
    const matches = (url: string) => (typeof part === 'string' ? url.includes(part) : part.test(url))
    const [response] = await Promise.all([
      page.waitForResponse((r) => matches(r.url()) && r.request().method() === 'GET'),
      trigger(),
    ])
    expect(response.status()).toBe(200)
    const url = new URL(response.url())
    const body = await server.api<T>(url.pathname + url.search)
    return { url: url.pathname + url.search, body }
  }

  async function shot(name: string) {
    await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0)
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true })
  }

  beforeAll(async () => {
    fs.mkdirSync(shots, { recursive: true })
    server = await startServer()
    browser = await launchBrowser()
    page = browser.context.pages()[0] ?? (await browser.context.newPage())
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(error.message))
  })

  // Each step asserts it caused no console error of its own; a failing step shows what the server logged
  // and what the browser saw, so a rare failure explains itself.
  beforeEach((context) => {
    consoleErrors.length = 0
    context.onTestFailed(async () => {
      console.error(`server output (last 4000 characters):\n${server.output().slice(-4000)}`)
      console.error(`browser console errors: ${JSON.stringify(consoleErrors)}`)
      const file = path.join(os.tmpdir(), `tillsight-e2e-failed-${Date.now()}.png`)
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
      console.error(`screenshot of the failed step: ${file}`)
    })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('signs in with an API key and lists the merchants the key sees', async () => {
    await page.goto(server.base + '/')
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true)
    await shot('sign-in')

    await page.getByLabel('API key').fill('not-a-real-key-000000')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor()
    consoleErrors.length = 0 // the refused key's 401 is expected

    await page.getByLabel('API key').fill(server.adminKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Merchants', exact: true }).waitFor()
    const merchants = await server.api<MerchantList>('/api/v1/merchants')
    expect(merchants.rows.length).toBeGreaterThan(0)
    const rows = page.getByTestId('merchants').locator('tbody tr')
    await rows.first().waitFor()
    expect(await rows.count()).toBe(merchants.rows.length)
    merchantId = merchants.rows.find((m) => m.currency === 'USD')?.merchantId ?? merchants.rows[0]!.merchantId
    await shot('merchants')
  })

  it('shows the KPIs of the demo data, and a new range changes the URL and the numbers', async () => {
    const first = await apiAnswerOf<Summary>('/summary', () =>
      page.goto(`${server.base}/insights?merchant=${merchantId}`),
    )
    const revenue = page.getByTestId('kpi-revenue').locator('.kpi-value')
    const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: first.body.currency })
    await page.waitForFunction(
      (expected) =>
        document.querySelector('[data-testid="kpi-revenue"] .kpi-value')?.textContent === expected,
      money.format(first.body.rows[0]!.revenue),
    )
    expect(first.body.rows[0]!.revenue).toBeGreaterThan(0)
    expect(await page.getByTestId('kpi-transactions').locator('.kpi-value').textContent()).toBe(
      new Intl.NumberFormat('en-US').format(first.body.rows[0]!.transactions),
    )
    expect(first.url).toContain('compare=previous_period')
    await page.getByTestId('trend').locator('.recharts-line').first().waitFor()
    await shot('insights-overview')

    const week = await apiAnswerOf<Summary>('/summary', () =>
      page.getByLabel('Date range').selectOption('7d'),
    )
    expect(new URL(page.url()).searchParams.get('range')).toBe('7d')
    expect(week.body.to).toBe(first.body.to)
    expect(week.body.rows[0]!.revenue).toBeLessThan(first.body.rows[0]!.revenue)
    await page.waitForFunction(
      (expected) =>
        document.querySelector('[data-testid="kpi-revenue"] .kpi-value')?.textContent === expected,
      money.format(week.body.rows[0]!.revenue),
    )

    await page.goBack()
    expect(new URL(page.url()).searchParams.get('range')).toBeNull()
    expect(await revenue.textContent()).toBe(money.format(first.body.rows[0]!.revenue))

    // One store: the URL names it, and the KPIs are that store's.
    await page.getByText(/^All \d+ stores$/).click()
    const oneStore = await apiAnswerOf<Summary>('/summary', () =>
      page.locator('.multi-select input[type="checkbox"]').first().click(),
    )
    const storeId = new URL(page.url()).searchParams.get('store')
    expect(storeId).toBeTruthy()
    expect(oneStore.url).toContain(`store=${storeId}`)
    expect(oneStore.body.rows[0]!.revenue).toBeLessThan(first.body.rows[0]!.revenue)
    await page.waitForFunction(
      (expected) =>
        document.querySelector('[data-testid="kpi-revenue"] .kpi-value')?.textContent === expected,
      money.format(oneStore.body.rows[0]!.revenue),
    )
    await page.goBack()
    expect(new URL(page.url()).searchParams.get('store')).toBeNull()
    expect(consoleErrors).toEqual([])
  })

  it('exports the products table as CSV with the rows of the API', async () => {
    // The page asks once for the whole product list; its top 10 must be what the API ranks as top 10.
    const { url: listUrl } = await apiAnswerOf<SalesByProduct>(/\/sales\/by-product\?/, () =>
      page.goto(`${server.base}/insights?merchant=${merchantId}`),
    )
    const products = await server.api<SalesByProduct>(listUrl.replace(/limit=\d+/, 'limit=10'))
    const panel = page.getByTestId('products')
    await page.waitForFunction(
      () => document.querySelector('[data-testid="products"]')?.getAttribute('data-state') === 'ready',
    )
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      panel.getByRole('button', { name: /Export .* CSV/ }).click(),
    ])
    const csv = parseCsv(fs.readFileSync((await download.path())!, 'utf8'))
    expect(csv[0]).toEqual(['productId', 'product', 'category', 'quantity', 'transactions', 'revenue'])
    expect(csv.slice(1)).toEqual(
      products.rows.map((r) => [
        r.productId,
        r.product,
        r.category,
        String(r.quantity),
        String(r.transactions),
        String(r.revenue),
      ]),
    )
    expect(products.rows.length).toBe(10)

    await panel.getByRole('button', { name: 'Table' }).click()
    const firstCell = panel.locator('tbody tr').first().locator('td').first()
    expect(await firstCell.textContent()).toBe(products.rows[0]!.product)
    await panel.getByRole('button', { name: 'Revenue' }).click() // sorts ascending now
    expect(await firstCell.textContent()).toBe(products.rows.at(-1)!.product)
    expect(consoleErrors).toEqual([])
  })

  it('opens the hours, weather and visitors views', async () => {
    await page.getByRole('button', { name: 'Hours' }).click()
    expect(new URL(page.url()).searchParams.get('view')).toBe('hours')
    await page.getByTestId('heatmap').locator('.heatmap-cell').first().waitFor()
    await shot('insights-hours')

    await page.getByRole('button', { name: 'Weather' }).click()
    expect(new URL(page.url()).searchParams.get('view')).toBe('weather')
    for (const by of ['condition', 'temperature']) {
      const panel = page.getByTestId(`weather-${by}`)
      await page.waitForFunction(
        (id) =>
          ['ready', 'empty'].includes(
            document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-state') ?? '',
          ),
        `weather-${by}`,
      )
      expect(await panel.getAttribute('data-state')).toBe('ready')
    }
    // Every bar carries the number of hours behind it.
    expect(
      await page.getByTestId('weather-condition').locator('.recharts-label-list text').first().textContent(),
    ).toMatch(/^[\d,]+ h$/)
    await shot('insights-weather')

    await page.getByRole('button', { name: 'Visitors' }).click()
    await page.waitForFunction(
      () => document.querySelector('[data-testid="origins"]')?.getAttribute('data-state') === 'ready',
    )
    await page.getByTestId('origins').getByRole('button', { name: 'Table' }).click()
    const text = (await page.getByTestId('origins').locator('tbody').textContent()) ?? ''
    expect(text.length).toBeGreaterThan(0)
    await shot('insights-visitors')
    expect(consoleErrors).toEqual([])
  })

  it('loads a file and shows its ledger and rejected rows', async () => {
    await page.getByRole('link', { name: 'Data' }).click()
    await page.getByRole('heading', { name: 'Data', exact: true }).waitFor()
    const stores = [
      'merchant_id,store_id,name,lat,lon,timezone,country,city,currency',
      'e2e-shop,s1,E2E Corner,48.8566,2.3522,Europe/Paris,FR,Paris,EUR',
    ].join('\n')
    await page.getByLabel('What it holds').selectOption('stores')
    await page
      .getByLabel('File', { exact: true })
      .setInputFiles({ name: 'stores.csv', mimeType: 'text/csv', buffer: Buffer.from(stores) })
    await page.getByRole('button', { name: 'Load file' }).click()
    await page.getByTestId('ledger').waitFor()
    expect(await page.getByTestId('ledger-inserted').textContent()).toBe('1')

    const lines = [
      'transaction_id,line_no,merchant_id,store_id,occurred_at,product_id,product_name,quantity,unit_price,currency',
      't1,1,e2e-shop,s1,2026-10-01T09:00:00+02:00,p1,Espresso,2,2.50,EUR',
      't1,2,e2e-shop,s1,2026-10-01T09:00:00+02:00,p2,Croissant,1,1.80,EUR',
      't2,1,e2e-shop,s1,2026-10-01T10:30:00+02:00,p1,Espresso,1,2.50,EUR',
      't3,1,e2e-shop,s1,not a time,p1,Espresso,1,2.50,EUR',
    ].join('\n')
    await page.getByLabel('What it holds').selectOption('transactions')
    await page
      .getByLabel('File', { exact: true })
      .setInputFiles({ name: 'sales.csv', mimeType: 'text/csv', buffer: Buffer.from(lines) })
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().includes('/api/v1/ingest/transactions') && r.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Load file' }).click(),
    ])
    const ledger = (await response.json()) as BatchLedger
    expect([ledger.received, ledger.inserted, ledger.duplicates, ledger.rejected]).toEqual([4, 3, 0, 1])
    expect(ledger.source).toBe('sales.csv')
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid="ledger"] code')?.textContent === id,
      ledger.batchId,
    )
    expect(await page.getByTestId('ledger-received').textContent()).toBe('4')
    expect(await page.getByTestId('ledger-rejected').textContent()).toBe('1')

    const batches = await server.api<BatchList>('/api/v1/ingest/batches')
    expect(batches.rows.map((b) => b.batchId)).toContain(ledger.batchId)
    await page.getByTestId('batches').locator('tbody tr').filter({ hasText: ledger.batchId }).waitFor()

    await page
      .getByTestId('ledger')
      .getByRole('button', { name: /rejected rows/ })
      .click()
    expect(new URL(page.url()).searchParams.get('batch')).toBe(ledger.batchId)
    const rejects = await server.api<RejectList>(`/api/v1/ingest/batches/${ledger.batchId}/rejects`)
    expect(rejects.rows.map((r) => r.lineNo)).toEqual([5]) // the file's line, header included
    await page
      .getByTestId('rejects')
      .locator('tbody tr')
      .filter({ hasText: rejects.rows[0]!.reason })
      .waitFor()
    await shot('data')
    expect(consoleErrors).toEqual([])
  })

  /**
   * The preview the page asked for after `trigger` (the first whose request passes `wanted`, as a rule
   * switched on may be sized before its fields are typed in), and the same request answered to Node.
   */
  async function previewOf(
    trigger: () => Promise<unknown>,
    wanted: (request: SegmentPreviewRequest) => boolean = () => true,
  ): Promise<{ request: SegmentPreviewRequest; body: SegmentPreview }> {
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) =>
          r.url().endsWith('/api/v1/segments/preview') &&
          r.request().method() === 'POST' &&
          wanted(r.request().postDataJSON() as SegmentPreviewRequest),
      ),
      trigger(),
    ])
    expect(response.status()).toBe(200)
    const request = response.request().postDataJSON() as SegmentPreviewRequest
    const body = await server.api<SegmentPreview>('/api/v1/segments/preview', server.adminKey, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    })
    return { request, body }
  }

  /** What the page shows for a count: the rounded number, or "fewer than K" when suppressed. */
  const shownCount = (count: { size: number | null }, threshold: number) =>
    count.size === null ? `fewer than ${threshold}` : new Intl.NumberFormat('en-US').format(count.size)

  async function waitForSize(expected: string) {
    await page.waitForFunction(
      (text) =>
        document.querySelector('[data-testid="audience-size-value"]')?.textContent === text &&
        !document.querySelector('[data-testid="audience-size"]')?.classList.contains('refreshing'),
      expected,
    )
  }

  it('sizes an audience live from the rules in the URL, saves it and shows its profile', async () => {
    const all = await previewOf(() => page.goto(`${server.base}/audiences?merchant=${merchantId}`))
    expect(all.request).toEqual({ merchantIds: [merchantId], rules: {} })
    expect(all.body.size).toBeGreaterThan(0)
    await waitForSize(shownCount(all.body, all.body.threshold))

    // One rule: the request, the URL and the size follow it.
    const tourists = await previewOf(() =>
      page.getByRole('group', { name: 'Visitor' }).getByRole('button', { name: 'Tourists' }).click(),
    )
    expect(tourists.request.rules).toEqual({ visitor: 'tourist' })
    expect(new URL(page.url()).searchParams.get('visitor')).toBe('tourist')
    expect(tourists.body.size).not.toBe(all.body.size)
    await waitForSize(shownCount(tourists.body, tourists.body.threshold))

    // Typing a number asks once the typing settles, not per keystroke.
    // The box follows the URL, which the router updates in a transition: click, then wait for the URL.
    await page.getByRole('checkbox', { name: 'Spend', exact: true }).click()
    await page.waitForFunction(() => new URL(location.href).searchParams.has('spendDays'))
    const typedMins: (number | undefined)[] = []
    const recordMin = (request: Request) => {
      if (request.url().endsWith('/segments/preview'))
        typedMins.push((request.postDataJSON() as SegmentPreviewRequest).rules.spend?.min)
    }
    page.on('request', recordMin)
    const spenders = await previewOf(
      async () => {
        const min = page.getByLabel('At least').first()
        await min.fill('')
        await min.pressSequentially('25', { delay: 40 })
      },
      (request) => request.rules.spend?.min === 25,
    )
    page.off('request', recordMin)
    expect(typedMins).not.toContain(2) // the half-typed number was never sent
    expect(new URL(page.url()).searchParams.get('spendMin')).toBe('25')
    await waitForSize(shownCount(spenders.body, spenders.body.threshold))

    // A reload shows the same segment.
    const reloaded = await previewOf(() => page.reload())
    expect(reloaded.request).toEqual(spenders.request)
    await waitForSize(shownCount(spenders.body, spenders.body.threshold))
    expect(
      await page
        .getByRole('group', { name: 'Visitor' })
        .getByRole('button', { name: 'Tourists' })
        .getAttribute('aria-pressed'),
    ).toBe('true')

    // Spend off again: the tourists' size is still cached, so it shows without asking.
    await page.getByRole('checkbox', { name: 'Spend', exact: true }).click()
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('spendDays'))
    await waitForSize(shownCount(tourists.body, tourists.body.threshold))
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="audience-countries"]')?.getAttribute('data-state') === 'ready',
    )
    await shot('audiences')

    // Saved: the list shows it, the URL names it, and its profile loads with the API's figures.
    const name = 'Tourists, any spend'
    await page.getByTestId('save-segment').getByLabel('Name').fill(name)
    const profileAnswer = page.waitForResponse((r) => /\/api\/v1\/segments\/[^/]+\/profile/.test(r.url()))
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/segments') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Save segment' }).click(),
    ])
    expect(created.status()).toBe(201)
    const segment = (await created.json()) as Segment
    expect(segment.rules).toEqual({ visitor: 'tourist' })
    await page.waitForFunction((id) => new URL(location.href).searchParams.get('segment') === id, segment.id)
    const listed = (await server.api<SegmentList>('/api/v1/segments')).rows.find((s) => s.id === segment.id)
    expect(listed?.name).toBe(name)
    await page
      .getByTestId('saved-segments')
      .locator('tbody tr')
      .filter({ hasText: name })
      .filter({ hasText: listed!.refreshedAt ? shownCount(listed!, listed!.threshold) : 'not computed yet' })
      .waitFor()
    const profileUrl = new URL((await profileAnswer).url())
    const profile = await server.api<SegmentProfile>(profileUrl.pathname + profileUrl.search)
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="profile-members"] .kpi-value')?.textContent === text,
      shownCount(profile, profile.threshold),
    )
    // A longer window of purchases: the URL keeps it, and more groups are large enough to show.
    await apiAnswerOf<SegmentProfile>(/\/profile\?days=365/, () =>
      page.getByLabel('Purchases of the last').selectOption('365'),
    )
    expect(new URL(page.url()).searchParams.get('profileDays')).toBe('365')
    await shot('audiences-profile')
    expect(consoleErrors).toEqual([])
  })

  it('fits a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(`${server.base}/insights?merchant=${merchantId}`)
    await page.getByTestId('kpi-revenue').waitFor()
    await shot('insights-phone')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.goto(`${server.base}/audiences?merchant=${merchantId}&visitor=tourist`)
    await page.getByTestId('audience-size-value').waitFor()
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0)
    await page.setViewportSize({ width: 1280, height: 900 })
    expect(consoleErrors).toEqual([])
  })

  it('leads back to sign-in when the key is revoked', async () => {
    const created = await server.api<CreatedKey>('/api/v1/keys', server.adminKey, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'merchant', merchantId, name: 'e2e' }),
    })
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('API key').fill(created.key)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('link', { name: 'Merchants' }).click()
    await page.getByTestId('merchants').locator('tbody tr').first().waitFor()
    expect(await page.getByTestId('merchants').locator('tbody tr').count()).toBe(1)

    await server.api(`/api/v1/keys/${created.keyId}`, server.adminKey, { method: 'DELETE' })
    // The server caches key lookups for a few seconds: wait until it refuses the key, then use the page.
    await expect
      .poll(
        async () =>
          (
            await fetch(`${server.base}/api/v1/whoami`, {
              headers: { authorization: `Bearer ${created.key}` },
            })
          ).status,
        { timeout: 30_000, interval: 500 },
      )
      .toBe(401)
    // A view this session has not loaded yet (answers already shown stay cached, so they make no request).
    await page.getByRole('link', { name: 'Data' }).click()
    await page.getByText('no longer accepted').waitFor()
    await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true)
    expect(consoleErrors.every((e) => e.includes('401'))).toBe(true)
  })
})
