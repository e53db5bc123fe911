import { lazy, Suspense } from 'react'
import { Route, Routes } from 'react-router'
import { useSession } from './api/SessionProvider.tsx'
import { AppLayout } from './components/AppLayout.tsx'
import { ComingSoonPage } from './pages/ComingSoonPage.tsx'
import { MerchantsPage } from './pages/MerchantsPage.tsx'
import { SignInPage } from './pages/SignInPage.tsx'

// Insights, Audiences and Data carry the charts, forms and the upload: loaded when first visited, keeping the first bundle small.
const InsightsPage = lazy(() => import('./pages/insights/InsightsPage.tsx'))
const DataPage = lazy(() => import('./pages/data/DataPage.tsx'))
const AudiencesPage = lazy(() => import('./pages/audiences/AudiencesPage.tsx'))
const CampaignsPage = lazy(() => import('./pages/campaigns/CampaignsPage.tsx'))
const WalletPreviewPage = lazy(() => import('./pages/wallet/WalletPreviewPage.tsx'))

/** Without a key every URL shows the sign-in page; after signing in the same URL shows its page. */
export function App() {
  const { session } = useSession()
  if (!session) return <SignInPage />
  return (
    <AppLayout>
      <Suspense
        fallback={
          <div className="page-loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading…
          </div>
        }
      >
        <Routes>
          <Route index element={<MerchantsPage />} />
          <Route path="insights" element={<InsightsPage />} />
          <Route path="audiences" element={<AudiencesPage />} />
          <Route path="campaigns" element={<CampaignsPage />} />
          <Route path="wallet" element={<WalletPreviewPage />} />
          <Route path="data" element={<DataPage />} />
          <Route
            path="*"
            element={
              <ComingSoonPage title="Page not found" what="There is no page at this address." notFound />
            }
          />
        </Routes>
      </Suspense>
    </AppLayout>
  )
}
