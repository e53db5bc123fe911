import { useState, type ReactNode } from 'react'
import {
  isoCountries,
  type Merchant,
  type SegmentRules,
  type SpendRankRule,
  type SpendRule,
  type Visitor,
  type VisitsRule,
} from '../../../server/contract.ts'
import { useProductsOf, useStoresOf } from '../../api/segmentHooks.ts'
import type { QueryState } from '../../api/useApiQuery.ts'
import { countryName } from '../../components/countryName.ts'
import { currencyChoices } from '../../components/currencyChoices.ts'
import { MultiSelectField, type MultiSelectOption } from '../../components/MultiSelectField.tsx'
import { NumberField } from '../../components/NumberField.tsx'
import { SegmentedControl } from '../../components/SegmentedControl.tsx'
import { SelectField } from '../../components/SelectField.tsx'
import { productLabels } from '../../components/productLabels.ts'

/** Field errors of the rules by path (e.g. "spend.min"), from the contract's own checks. */
export type RuleErrors = ReadonlyMap<string, string>

interface RuleBuilderProps {
  rules: SegmentRules
  /** typing: the change comes from a keystroke (it replaces the URL instead of adding a history entry). */
  onChange: (rules: SegmentRules, typing?: boolean) => void
  merchants: readonly Merchant[]
  chosen: readonly Merchant[]
  onMerchantsChange: (merchantIds: string[]) => void
  errors: RuleErrors
}

const visitorOptions: readonly { value: Visitor; label: string }[] = [
  { value: 'any', label: 'Anyone' },
  { value: 'tourist', label: 'Tourists' },
  { value: 'local', label: 'Locals' },
]

// Values the payment lines commonly carry; a picker also takes any other value typed in.
const knownWallets: readonly MultiSelectOption[] = [
  { value: 'alipay', label: 'Alipay' },
  { value: 'wechat_pay', label: 'WeChat Pay' },
  { value: 'apple_pay', label: 'Apple Pay' },
  { value: 'google_pay', label: 'Google Pay' },
]
const knownPaymentMethods: readonly MultiSelectOption[] = [
  { value: 'card', label: 'Card' },
  { value: 'qr', label: 'QR code' },
  { value: 'nfc', label: 'Contactless (NFC)' },
  { value: 'transit', label: 'Transit card' },
  { value: 'cash', label: 'Cash' },
]

const countryOptions: readonly MultiSelectOption[] = isoCountries
  .map((code) => ({ value: code, label: countryName(code), detail: code }))
  .sort((a, b) => a.label.localeCompare(b.label))

/** Pickers suggest values from this many merchants at most; others can still be typed in. */
const catalogMerchants = 20

/** Starting values when a windowed rule is switched on. */
const defaultWindowDays = 90
const defaultSpend = (currency: string): SpendRule => ({ min: 100, currency, days: defaultWindowDays })
const defaultVisits: VisitsRule = { min: 2, days: defaultWindowDays }
const defaultSpendRank: SpendRankRule = { topPercent: 10, days: 365 }

/** The segment's rules as a form; every change is a new URL, and the size follows it. */
export function RuleBuilder({
  rules,
  onChange,
  merchants,
  chosen,
  onMerchantsChange,
  errors,
}: RuleBuilderProps) {
  // A rule set to undefined is off: it leaves the rules (and the URL) rather than staying as a key.
  const set = (patch: Partial<SegmentRules>, typing = false) =>
    onChange(
      Object.fromEntries(
        Object.entries({ ...rules, ...patch }).filter(([, v]) => v !== undefined),
      ) as SegmentRules,
      typing,
    )
  const list = (values: string[]) => (values.length > 0 ? values : undefined)
  const chosenIds = chosen.map((m) => m.merchantId)
  const currency = chosen[0]?.currency ?? 'USD'
  const currencies = currencyChoices([...chosen.map((m) => m.currency), rules.spend?.currency])
  const error = (path: string) => errors.get(path)

  return (
    <form
      className="panel rule-builder"
      aria-label="Segment rules"
      onSubmit={(event) => event.preventDefault()}
    >
      <header className="panel-head">
        <div>
          <h2>Rules</h2>
          <p className="panel-description">Customers who match every rule given; an empty rule is ignored.</p>
        </div>
        <div className="panel-actions">
          <button
            type="button"
            className="button-quiet"
            disabled={Object.keys(rules).length === 0}
            onClick={() => onChange({})}
          >
            Clear rules
          </button>
        </div>
      </header>

      <RuleGroup title="Who">
        {merchants.length > 1 && (
          <MultiSelectField
            label="Customers of"
            options={merchants.map((m) => ({
              value: m.merchantId,
              label: m.name,
              detail: m.cities.join(', '),
            }))}
            selected={chosenIds}
            // A segment always has a merchant: unticking the last one keeps it.
            onChange={(next) => next.length > 0 && onMerchantsChange(next)}
            noneLabel="Choose merchants"
          />
        )}
        <MultiSelectField
          label="Home country"
          options={countryOptions}
          selected={rules.homeCountries ?? []}
          onChange={(next) => set({ homeCountries: list(next) })}
          noneLabel="Any country"
        />
        <div className="field field-row">
          <span>Visitor</span>
          <SegmentedControl
            label="Visitor"
            options={visitorOptions}
            value={rules.visitor ?? 'any'}
            onChange={(visitor) => set({ visitor: visitor === 'any' ? undefined : visitor })}
          />
        </div>
        <FieldErrors messages={[error('homeCountries'), error('visitor')]} />
      </RuleGroup>

      <RuleGroup
        title="Spend"
        on={rules.spend !== undefined}
        onToggle={(on) => set({ spend: on ? defaultSpend(currency) : undefined })}
        hint="At the chosen merchants, refunds and voids out, converted at each day’s rate."
      >
        {rules.spend && (
          <>
            <NumberField
              label="At least"
              decimals
              value={rules.spend.min}
              unit={rules.spend.currency}
              error={error('spend.min')}
              onChange={(min) => rules.spend && set({ spend: { ...rules.spend, min } }, true)}
            />
            <NumberField
              label="At most"
              decimals
              value={rules.spend.max}
              unit={rules.spend.currency}
              placeholder="no limit"
              error={error('spend.max')}
              onChange={(max) => rules.spend && set({ spend: { ...rules.spend, max } }, true)}
            />
            <SelectField
              label="Currency"
              options={currencies.map((code) => ({ value: code, label: code }))}
              value={rules.spend.currency}
              onChange={(next) => rules.spend && set({ spend: { ...rules.spend, currency: next } })}
            />
            <FieldErrors messages={[error('spend.currency')]} />
            <DaysField
              label="Over the last"
              value={rules.spend.days}
              error={error('spend.days')}
              onChange={(days) => rules.spend && set({ spend: { ...rules.spend, days } }, true)}
            />
          </>
        )}
      </RuleGroup>

      <RuleGroup
        title="Visits"
        on={rules.visits !== undefined}
        onToggle={(on) => set({ visits: on ? defaultVisits : undefined })}
        hint="Days with a purchase at the chosen merchants."
      >
        {rules.visits && (
          <>
            <NumberField
              label="At least"
              value={rules.visits.min}
              unit="days"
              error={error('visits.min')}
              onChange={(min) => rules.visits && set({ visits: { ...rules.visits, min } }, true)}
            />
            <NumberField
              label="At most"
              value={rules.visits.max}
              unit="days"
              placeholder="no limit"
              error={error('visits.max')}
              onChange={(max) => rules.visits && set({ visits: { ...rules.visits, max } }, true)}
            />
            <DaysField
              label="Over the last"
              value={rules.visits.days}
              error={error('visits.days')}
              onChange={(days) => rules.visits && set({ visits: { ...rules.visits, days } }, true)}
            />
          </>
        )}
      </RuleGroup>

      <RuleGroup title="Recency" hint="Recent customers, or regulars who lapsed (bought before, not since).">
        <NumberField
          label="Last seen within"
          value={rules.lastSeenWithinDays}
          unit="days"
          placeholder="any time"
          error={error('lastSeenWithinDays')}
          onChange={(days) => set({ lastSeenWithinDays: days }, true)}
        />
        <NumberField
          label="Not seen for"
          value={rules.notSeenForDays}
          unit="days"
          placeholder="—"
          error={error('notSeenForDays')}
          onChange={(days) => set({ notSeenForDays: days }, true)}
        />
      </RuleGroup>

      <RuleGroup title="Bought or paid with" hint="Any of the ticked values; leave empty for all.">
        <CatalogPickers merchantIds={chosenIds} rules={rules} set={set} />
        <StorePicker
          merchantIds={chosenIds}
          selected={rules.stores ?? []}
          onChange={(next) => set({ stores: list(next) })}
        />
        <MultiSelectField
          label="Wallets"
          options={knownWallets}
          selected={rules.wallets ?? []}
          onChange={(next) => set({ wallets: list(next) })}
          noneLabel="Any wallet"
          allowCustom
        />
        <MultiSelectField
          label="Payment methods"
          options={knownPaymentMethods}
          selected={rules.paymentMethods ?? []}
          onChange={(next) => set({ paymentMethods: list(next) })}
          noneLabel="Any method"
          allowCustom
        />
        <FieldErrors
          messages={['categories', 'products', 'stores', 'wallets', 'paymentMethods'].map(error)}
        />
      </RuleGroup>

      <RuleGroup
        title="Top spenders"
        on={rules.spendRank !== undefined}
        onToggle={(on) => set({ spendRank: on ? defaultSpendRank : undefined })}
        hint="The top share of the merchants’ customers by spend: the super users."
      >
        {rules.spendRank && (
          <>
            <NumberField
              label="Top"
              decimals
              value={rules.spendRank.topPercent}
              unit="%"
              error={error('spendRank.topPercent')}
              onChange={(topPercent) =>
                rules.spendRank &&
                topPercent !== undefined &&
                set({ spendRank: { ...rules.spendRank, topPercent } }, true)
              }
            />
            <DaysField
              label="By spend over the last"
              value={rules.spendRank.days}
              error={error('spendRank.days')}
              onChange={(days) => rules.spendRank && set({ spendRank: { ...rules.spendRank, days } }, true)}
            />
          </>
        )}
      </RuleGroup>
    </form>
  )
}

/** Errors of fields that show none of their own (pickers, selects), under their group. */
function FieldErrors({ messages }: { messages: (string | undefined)[] }) {
  const given = messages.filter(Boolean)
  return given.length > 0 ? (
    <p className="form-error" role="alert">
      {given.join(' ')}
    </p>
  ) : null
}

interface RuleGroupProps {
  title: string
  hint?: string
  /** A rule that is off or on as a whole (spend, visits, top spenders) has a switch in its legend. */
  on?: boolean
  onToggle?: (on: boolean) => void
  children: ReactNode
}

function RuleGroup({ title, hint, on, onToggle, children }: RuleGroupProps) {
  return (
    <fieldset className="rule-group">
      <legend>
        {onToggle ? (
          <label className="checkbox rule-toggle">
            <input
              type="checkbox"
              checked={on ?? false}
              onChange={(event) => onToggle(event.target.checked)}
            />
            <span>{title}</span>
          </label>
        ) : (
          title
        )}
      </legend>
      {hint && <p className="rule-hint">{hint}</p>}
      <div className="rule-fields">{children}</div>
    </fieldset>
  )
}

/** A window in days; emptying it keeps the last value (every windowed rule needs one). */
function DaysField(props: {
  label: string
  value: number
  error: string | undefined
  onChange: (days: number) => void
}) {
  return (
    <NumberField
      label={props.label}
      value={props.value}
      unit="days"
      error={props.error}
      onChange={(days) => days !== undefined && props.onChange(days)}
    />
  )
}

/** What a picker says while its options load or when they could not be loaded. */
function loadingStatus(state: QueryState<unknown>, what: string, open: boolean): ReactNode {
  if (state.status === 'error') return <span className="form-error">{state.error.message}</span>
  if (open && state.status === 'loading') return <span className="muted">Loading {what}…</span>
  return null
}

/**
 * Categories and products the merchants sold lately, asked for only when a list opens or values are chosen
 * (keeping the engine free for the live size).
 */
function CatalogPickers({
  merchantIds,
  rules,
  set,
}: {
  merchantIds: readonly string[]
  rules: SegmentRules
  set: (patch: Partial<SegmentRules>) => void
}) {
  const [open, setOpen] = useState({ categories: false, products: false })
  const wanted =
    open.categories || open.products || rules.categories !== undefined || rules.products !== undefined
  const catalog = useProductsOf(merchantIds.slice(0, catalogMerchants), wanted)
  const rows = catalog.status === 'success' ? catalog.data.flatMap((answer) => answer.rows) : []
  const categories = [...new Set(rows.map((r) => r.category).filter(Boolean))].sort()
  const label = productLabels(rows)
  const products = new Map<string, MultiSelectOption>()
  for (const row of rows)
    if (!products.has(row.productId))
      products.set(row.productId, {
        value: row.productId,
        label: label(row),
        detail: row.category,
      })
  return (
    <>
      <MultiSelectField
        label="Categories"
        options={categories.map((category) => ({ value: category, label: category }))}
        selected={rules.categories ?? []}
        onChange={(next) => set({ categories: next.length > 0 ? next : undefined })}
        noneLabel="Any category"
        onOpenChange={(categoriesOpen) => setOpen((o) => ({ ...o, categories: categoriesOpen }))}
        status={loadingStatus(catalog, 'categories', open.categories)}
        allowCustom
      />
      <MultiSelectField
        label="Products"
        options={[...products.values()].sort((a, b) => a.label.localeCompare(b.label))}
        selected={rules.products ?? []}
        onChange={(next) => set({ products: next.length > 0 ? next : undefined })}
        noneLabel="Any product"
        onOpenChange={(productsOpen) => setOpen((o) => ({ ...o, products: productsOpen }))}
        status={loadingStatus(catalog, 'products', open.products)}
        allowCustom
      />
    </>
  )
}

/** The chosen merchants' stores (asked for when the list opens); a store id names one store per merchant. */
function StorePicker({
  merchantIds,
  selected,
  onChange,
}: {
  merchantIds: readonly string[]
  selected: readonly string[]
  onChange: (next: string[]) => void
}) {
  const [open, setOpen] = useState(false)
  const shownMerchants = merchantIds.slice(0, catalogMerchants)
  const lists = useStoresOf(shownMerchants, open || selected.length > 0)
  const options = new Map<string, MultiSelectOption>()
  if (lists.status === 'success')
    lists.data.forEach((list, i) => {
      for (const store of list.rows)
        if (!options.has(store.storeId))
          options.set(store.storeId, {
            value: store.storeId,
            label: store.name,
            detail: shownMerchants.length > 1 ? `${store.city}, ${shownMerchants[i]}` : store.city,
          })
    })
  return (
    <MultiSelectField
      label="Stores"
      options={[...options.values()]}
      selected={selected}
      onChange={onChange}
      noneLabel="Any store"
      onOpenChange={setOpen}
      status={loadingStatus(lists, 'stores', open)}
    />
  )
}
