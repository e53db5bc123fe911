import { useSearchParams } from 'react-router'
import { SegmentPreviewRequest, type Merchant, type SegmentPreview } from '../../../server/contract.ts'
import { ApiError } from '../../api/apiClient.ts'
import { useMerchants } from '../../api/foundationHooks.ts'
import { useSegmentPreview, useSegments } from '../../api/segmentHooks.ts'
import { useSignedIn } from '../../api/SessionProvider.tsx'
import type { QueryState } from '../../api/useApiQuery.ts'
import { MerchantsPending } from '../../components/MerchantsPending.tsx'
import { useDebouncedValue } from '../../components/useDebouncedValue.ts'
import { AudienceSizePanel } from './AudienceSizePanel.tsx'
import { audienceFromParams, paramsFromAudience, type AudienceState } from './audienceUrl.ts'
import { HomeCountriesPanel } from './HomeCountriesPanel.tsx'
import { RuleBuilder, type RuleErrors } from './RuleBuilder.tsx'
import { SavedSegmentsPanel } from './SavedSegmentsPanel.tsx'
import { SaveSegmentForm } from './SaveSegmentForm.tsx'
import { SegmentProfileSection } from './SegmentProfileSection.tsx'

/** Long enough to let a person finish typing a number, short enough to feel live. */
const previewDebounceMs = 300

/** A marketer sizes across all their merchants by default; anyone else starts from one merchant. */
function defaultMerchants(list: readonly Merchant[], role: string, own: readonly string[]): Merchant[] {
  if (role === 'marketer') return [...list]
  const first = list.find((m) => own.includes(m.merchantId)) ?? list[0]
  return first ? [first] : []
}

/**
 * What only the server can check (a window over MAX_RANGE_DAYS, a store none of the merchants has, a
 * missing exchange rate) comes back as 400 "rules.<field>: <why>"; it is shown at that field too.
 */
function fieldErrorOf(preview: QueryState<unknown>): [string, string][] {
  if (preview.status !== 'error' || preview.error.status !== 400) return []
  const named = /^rules\.([\w.]+): (.+)$/.exec(preview.error.message)
  return named?.[1] && named[2] ? [[named[1], named[2]]] : []
}

export default function AudiencesPage() {
  const [searchParams, setSearchParams] = useSearchParams()
  const { whoami } = useSignedIn()
  const merchants = useMerchants()
  const list = merchants.status === 'success' ? merchants.data.rows : []
  const asked = searchParams.getAll('merchant')
  const named = list.filter((m) => asked.includes(m.merchantId))
  const chosen = named.length > 0 ? named : defaultMerchants(list, whoami.role, whoami.merchantIds)
  const merchantIds = chosen.map((m) => m.merchantId)
  const state = audienceFromParams(searchParams, chosen[0]?.currency)

  const update = (patch: Partial<AudienceState>, typing = false) =>
    setSearchParams(paramsFromAudience({ ...state, merchants: merchantIds, ...patch }), { replace: typing })

  // The contract's own checks run before anything is sent, so a half-typed rule is named at its field.
  const request = { merchantIds, rules: state.rules }
  const checked = SegmentPreviewRequest.safeParse(request)
  const settled = useDebouncedValue(
    checked.success && merchantIds.length > 0 ? request : null,
    previewDebounceMs,
  )
  const preview = useSegmentPreview(settled)
  const errors: RuleErrors = new Map(
    checked.success
      ? fieldErrorOf(preview)
      : checked.error.issues.map((issue) => [issue.path.slice(1).join('.'), issue.message]),
  )
  const previewState: QueryState<SegmentPreview> = checked.success
    ? preview
    : {
        status: 'error',
        error: new ApiError(400, 'invalid_rules', `Fix the rules first: ${[...errors.values()].join('; ')}.`),
      }
  const segments = useSegments()
  const saved = segments.status === 'success' ? segments.data.rows : []
  const open = state.segment ? saved.find((s) => s.id === state.segment) : undefined

  if (merchants.status !== 'success' || chosen.length === 0) {
    return <MerchantsPending title="Audiences" query={merchants} />
  }

  return (
    <div className="page">
      <div className="page-head">
        <h1>
          Audiences{' '}
          <span className="page-subject">
            {chosen.length <= 2 ? chosen.map((m) => m.name).join(' and ') : `${chosen.length} merchants`}
          </span>
        </h1>
        <p className="muted page-head-note">
          Segments of customers with a known id. Counts are rounded down to tens; groups too small to protect
          are never counted.
        </p>
      </div>
      <div className="audience-grid">
        <RuleBuilder
          rules={state.rules}
          onChange={(rules, typing) => update({ rules }, typing)}
          merchants={list}
          chosen={chosen}
          onMerchantsChange={(ids) => update({ merchants: ids })}
          errors={errors}
        />
        <div className="audience-side">
          <AudienceSizePanel query={previewState} refreshing={checked.success && preview.refreshing} />
          <SaveSegmentForm
            key={open?.id ?? 'new'}
            open={open}
            merchantIds={merchantIds}
            rules={state.rules}
            valid={checked.success}
            onSaved={(segment) => update({ segment: segment.id, merchants: segment.merchantIds })}
            onClose={() => update({ segment: null })}
          />
          <HomeCountriesPanel query={previewState} />
        </div>
      </div>
      <SavedSegmentsPanel
        query={segments}
        openId={state.segment}
        merchantNames={new Map(list.map((m) => [m.merchantId, m.name]))}
        onOpen={(segment) =>
          update({ segment: segment.id, merchants: segment.merchantIds, rules: segment.rules })
        }
        onDeleting={(id) => id === state.segment && update({ segment: null })}
      />
      {state.segment && segments.status === 'success' && !open && (
        <p className="notice" role="status">
          The segment in this link no longer exists, or your key cannot see it. The rules of the link are
          shown.
        </p>
      )}
      {open && (
        <SegmentProfileSection
          segment={open}
          days={state.profileDays}
          onDaysChange={(profileDays) => update({ profileDays })}
        />
      )}
    </div>
  )
}
