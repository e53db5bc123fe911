import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type {
  MerchantList,
  Offer,
  OfferList,
  OfferPerformance,
  OfferPreview,
  StoreList,
} from '../../server/contract.ts'
import { upliftSentence } from '../../web/pages/campaigns/upliftSentence.ts'
import { localDateTimeOf } from '../../web/pages/wallet/zonedTime.ts'
import { launchBrowser } from './launchBrowser.ts'
import { startServer, type RunningServer } from './startServer.ts'

const shots = path.resolve('docs/screenshots')

describe('campaigns and wallet preview in a real browser', () => {
  let server: RunningServer
  let browser: Awaited<ReturnType<typeof launchBrowser>>
  let page: Page
  const consoleErrors: string[] = []
  let merchantId = ''

  async function settled() {
    await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0)
  }

  async function shot(name: string) {
    await settled()
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true })
  }

  /** Waits for a panel to finish loading and returns its state (ready, empty or error). */
  async function panelState(testId: string): Promise<string | null> {
    await page.waitForFunction(
      (id) =>
        ['ready', 'empty', 'error'].includes(
          document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-state') ?? '',
        ),
      testId,
    )
    return page.getByTestId(testId).getAttribute('data-state')
  }

  const offersOf = (merchant: string) =>
    server.api<OfferList>(`/api/v1/offers?merchantId=${encodeURIComponent(merchant)}`)

  beforeAll(async () => {
    fs.mkdirSync(shots, { recursive: true })
    // The demo at the size of the screenshots in docs: every offer's groups are over 50 customers, so the
    // interval is drawn rather than suppressed.
    server = await startServer(300_000)
    browser = await launchBrowser()
    page = browser.context.pages()[0] ?? (await browser.context.newPage())
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(error.message))

    await page.goto(server.base + '/')
    await page.getByLabel('API key').fill(server.adminKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Merchants', exact: true }).waitFor()
    const merchants = await server.api<MerchantList>('/api/v1/merchants')
    merchantId = merchants.rows.find((m) => m.currency === 'USD')?.merchantId ?? merchants.rows[0]!.merchantId
  })

  beforeEach((context) => {
    consoleErrors.length = 0
    context.onTestFailed(async () => {
      console.error(`server output (last 4000 characters):\n${server.output().slice(-4000)}`)
      console.error(`browser console errors: ${JSON.stringify(consoleErrors)}`)
      const file = path.join(os.tmpdir(), `tillsight-e2e-campaigns-failed-${Date.now()}.png`)
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined)
      console.error(`screenshot of the failed step: ${file}`)
    })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('lists the demo offers and shows a performance with its interval and sentence', async () => {
    const offers = await offersOf(merchantId)
    const running = offers.rows.filter((o) => o.status !== 'ended')
    expect(running.length).toBeGreaterThan(0)
    // The offer with an interval to draw (both groups of at least K customers): the demo has a real effect.
    const measured: { offer: Offer; performance: OfferPerformance }[] = []
    for (const offer of running) {
      const performance = await server.api<OfferPerformance>(`/api/v1/offers/${offer.offerId}/performance`)
      if (performance.uplift.ci95 !== null) measured.push({ offer, performance })
    }
    expect(measured.length).toBeGreaterThan(0)
    const { offer, performance } = measured[0]!

    await page.goto(`${server.base}/campaigns?merchant=${merchantId}`)
    expect(await panelState('offers')).toBe('ready')
    const rows = page.getByTestId('offers').locator('tbody tr')
    expect(await rows.count()).toBe(running.length)
    expect(await rows.locator('.offer-name').allTextContents()).toEqual(running.map((o) => o.name))

    await page.getByTestId('offers').getByRole('button', { name: offer.name, exact: true }).click()
    expect(new URL(page.url()).searchParams.get('offer')).toBe(offer.offerId)
    expect(await panelState('uplift')).toBe('ready')
    expect(await page.getByTestId('uplift-sentence').textContent()).toBe(upliftSentence(performance, 'en-US'))
    expect(await page.getByTestId('uplift-sentence').textContent()).toMatch(/95% interval/)
    // The interval is drawn as a band on the axis of the difference, with a line at zero.
    await page.getByTestId('uplift').locator('.recharts-bar-rectangle').last().waitFor()
    expect(await page.getByTestId('uplift').locator('.recharts-reference-line').count()).toBe(1)
    expect(await page.getByTestId('uplift').locator('.recharts-bar-rectangle').count()).toBe(3)

    // The groups table agrees with the API, figure for figure.
    await page.getByTestId('uplift').getByRole('button', { name: 'Table' }).click()
    const cells = await page.getByTestId('uplift').locator('tbody tr').first().locator('td').allTextContents()
    expect(cells.slice(0, 3)).toEqual([
      'Saw the offer',
      new Intl.NumberFormat('en-US').format(performance.exposed.customers!),
      new Intl.NumberFormat('en-US').format(performance.exposed.converters!),
    ])
    await page.getByTestId('uplift').getByRole('button', { name: 'Chart' }).click()
    expect(await panelState('offer-daily')).toBe('ready')
    await page.getByTestId('offer-daily').locator('.recharts-line').first().waitFor()
    await shot('campaigns')
    await settled()
    await page.getByRole('region', { name: `Performance of ${offer.name}` }).screenshot({
      path: path.join(shots, 'campaigns-performance.png'),
    })
    expect(consoleErrors).toEqual([])
  })

  it('creates an offer through the form (the API’s message under its field), edits, pauses and ends it', async () => {
    await page.goto(`${server.base}/campaigns?merchant=${merchantId}`)
    await panelState('offers')
    await page.getByRole('button', { name: 'New offer' }).click()
    expect(new URL(page.url()).searchParams.get('edit')).toBe('new')
    const form = page.getByTestId('offer-form')
    await form.getByLabel('Name').fill('E2E weekday mornings')
    await form.getByLabel('Text the wallet shows').fill('A free pastry with any coffee before 11')
    await form.getByLabel('Radius around each store').fill('6000')
    await form.getByRole('checkbox', { name: 'Mon' }).check()
    await form.getByRole('checkbox', { name: 'Tue' }).check()
    await form.getByLabel('Only at certain hours').check()
    await form.getByLabel('From (local)').fill('07:00')
    await form.getByLabel('Until (local)').fill('11:00')

    // Too large a radius: the API refuses, and its message stands under the radius field.
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/offers') && r.request().method() === 'POST'),
      form.getByRole('button', { name: 'Create offer' }).click(),
    ])
    expect(refused.status()).toBe(400)
    const radius = form.locator('label').filter({ hasText: 'Radius around each store' })
    await radius.locator('.field-error').waitFor()
    expect(await radius.locator('.field-error').textContent()).toMatch(/5000/)
    expect(await radius.locator('input').getAttribute('aria-invalid')).toBe('true')
    consoleErrors.length = 0 // the refused request's 400 is expected

    await form.getByLabel('Radius around each store').fill('250')
    const [created] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/offers') && r.request().method() === 'POST'),
      form.getByRole('button', { name: 'Create offer' }).click(),
    ])
    expect(created.status()).toBe(201)
    const offer = (await created.json()) as Offer
    await form.waitFor({ state: 'detached' })
    expect(new URL(page.url()).searchParams.get('offer')).toBe(offer.offerId)
    const stored = await server.api<Offer>(`/api/v1/offers/${offer.offerId}`)
    expect(stored).toMatchObject({
      merchantId,
      name: 'E2E weekday mornings',
      text: 'A free pastry with any coffee before 11',
      value: { kind: 'percent', amount: 10 },
      stores: [],
      radiusM: 250,
      segmentId: null,
      schedule: { days: [1, 2], hours: { from: '07:00', to: '11:00' } },
      cap: { count: 3, days: 7 },
      dailyBudget: null,
      holdoutPercent: 10,
      attributionDays: 7,
      status: 'active',
    })
    const row = page.getByTestId('offers').locator('tbody tr').filter({ hasText: 'E2E weekday mornings' })
    await row.waitFor()
    // A new offer has no impression yet, and says so rather than showing a made-up figure.
    await page
      .getByTestId('uplift-sentence')
      .filter({ hasText: 'No wallet has been offered this yet' })
      .waitFor()

    // Editing starts from what is stored and sends it back changed: a wider radius, every day again.
    await row.getByRole('button', { name: 'Edit' }).click()
    expect(new URL(page.url()).searchParams.get('edit')).toBe(offer.offerId)
    await form.getByLabel('Radius around each store').waitFor()
    expect(await form.getByLabel('Radius around each store').inputValue()).toBe('250')
    await form.getByLabel('Radius around each store').fill('350')
    await form.getByRole('checkbox', { name: 'Mon' }).uncheck()
    await form.getByRole('checkbox', { name: 'Tue' }).uncheck()
    const [saved] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().endsWith(`/api/v1/offers/${offer.offerId}`) && r.request().method() === 'PATCH',
      ),
      form.getByRole('button', { name: 'Save changes' }).click(),
    ])
    expect(saved.status()).toBe(200)
    await form.waitFor({ state: 'detached' })
    const edited = await server.api<Offer>(`/api/v1/offers/${offer.offerId}`)
    expect(edited.radiusM).toBe(350)
    expect(edited.schedule).toEqual({
      from: stored.schedule.from,
      to: stored.schedule.to,
      hours: { from: '07:00', to: '11:00' },
    })
    await row.getByText('350 m').waitFor()

    await row.getByRole('button', { name: 'Pause' }).click()
    await row.getByRole('button', { name: 'Resume' }).waitFor()
    expect((await server.api<Offer>(`/api/v1/offers/${offer.offerId}`)).status).toBe('paused')

    await row.getByRole('button', { name: 'End', exact: true }).click()
    await row.getByRole('button', { name: 'End for good' }).click()
    await row.waitFor({ state: 'detached' })
    expect((await server.api<Offer>(`/api/v1/offers/${offer.offerId}`)).status).toBe('ended')
    await page.getByRole('button', { name: 'Ended', exact: true }).click()
    expect(new URL(page.url()).searchParams.get('show')).toBe('ended')
    await page.getByTestId('offers').locator('tbody tr').filter({ hasText: 'E2E weekday mornings' }).waitFor()
    expect(consoleErrors).toEqual([])
  })

  it('answers the wallet preview for a clicked point, with the reasons, and counts no impression', async () => {
    const stores = await server.api<StoreList>(`/api/v1/merchants/${merchantId}/stores`)
    const offers = await offersOf(merchantId)
    const active = offers.rows.filter((o) => o.status === 'active')
    expect(active.length).toBeGreaterThan(0)
    // A store of an active offer, at noon of a day its schedule allows, in the store's own time.
    const target = active[0]!
    const store = stores.rows.find((s) => target.stores.length === 0 || target.stores.includes(s.storeId))!
    const today = localDateTimeOf(new Date(), store.timezone).slice(0, 10)
    const day =
      today < target.schedule.from
        ? target.schedule.from
        : today > target.schedule.to
          ? target.schedule.to
          : today
    const impressionsBefore = offers.rows.map((o) => [o.offerId, o.impressions])

    await page.goto(
      `${server.base}/wallet?merchant=${merchantId}&city=${encodeURIComponent(store.city)}&at=${day}T12:00`,
    )
    expect(await panelState('stores')).toBe('ready')
    expect(await panelState('offered')).toBe('empty') // nothing is asked before a point is picked
    const [response] = await Promise.all([
      page.waitForResponse(
        (r) => r.url().includes('/api/v1/offers/preview') && r.request().method() === 'GET',
      ),
      page
        .getByTestId('store-plot')
        .getByRole('button', { name: `Pick ${store.name}` })
        .click(),
    ])
    expect(response.status()).toBe(200)
    const url = new URL(page.url())
    expect(url.searchParams.get('store')).toBe(store.storeId)
    expect(Number(url.searchParams.get('lat'))).toBeCloseTo(store.lat, 5)
    const answer = (await response.json()) as OfferPreview
    expect(answer.offers.length + answer.excluded.length).toBe(
      active.length + offers.rows.filter((o) => o.status === 'paused').length,
    )
    expect(answer.offers.length).toBeGreaterThan(0)

    expect(await panelState('offered')).toBe('ready')
    expect(await page.getByTestId('offered').locator('.offer-card-text').allTextContents()).toEqual(
      answer.offers.map((o) => o.text),
    )
    expect(await panelState('excluded')).toBe(answer.excluded.length > 0 ? 'ready' : 'empty')
    expect(await page.getByTestId('excluded').locator('tbody tr').count()).toBe(answer.excluded.length)

    // A click away from every store: the answer changes to what is near that point.
    const box = (await page.getByTestId('store-plot').boundingBox())!
    const [away] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/offers/preview')),
      page.mouse.click(box.x + box.width * 0.03, box.y + box.height * 0.1),
    ])
    const far = (await away.json()) as OfferPreview
    expect(new URL(page.url()).searchParams.get('store')).toBeNull()
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="excluded"] tbody tr').length === count,
      far.excluded.length,
    )
    expect(far.excluded.some((e) => e.reason === 'too_far')).toBe(true)
    await page.getByTestId('excluded').getByText('Too far').first().waitFor()

    // Back at the store for the screenshot; a preview never counts as an impression.
    await page.goBack()
    await page.getByTestId('offered').locator('.offer-card').first().waitFor()
    await shot('wallet-preview')
    const after = await offersOf(merchantId)
    expect(after.rows.map((o) => [o.offerId, o.impressions])).toEqual(impressionsBefore)
    expect(consoleErrors).toEqual([])
  })
})
