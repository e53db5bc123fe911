import { type ReactNode } from 'react'
import { NavLink, useSearchParams } from 'react-router'
import { useMerchants } from '../api/foundationHooks.ts'
import { useSignedIn, useSession } from '../api/SessionProvider.tsx'

const pages = [
  { to: '/', label: 'Merchants', end: true },
  { to: '/insights', label: 'Insights' },
  { to: '/audiences', label: 'Audiences' },
  { to: '/campaigns', label: 'Campaigns' },
  { to: '/wallet', label: 'Wallet preview' },
  { to: '/data', label: 'Data', roles: ['admin', 'merchant'] },
] as const

/** Header with navigation and the signed-in key; the chosen merchant follows from page to page. */
export function AppLayout({ children }: { children: ReactNode }) {
  const { whoami } = useSignedIn()
  const { signOut } = useSession()
  // Every page starts from the merchant list: asking here starts it while a page's code is still loading.
  useMerchants()
  const [params] = useSearchParams()
  const merchant = params.get('merchant')
  const carry = merchant ? `?merchant=${encodeURIComponent(merchant)}` : ''

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Tillsight
        </div>
        <nav aria-label="Main" className="nav">
          {pages
            .filter((page) => !('roles' in page) || (page.roles as readonly string[]).includes(whoami.role))
            .map((page) => (
              <NavLink
                key={page.to}
                to={page.to === '/' ? page.to : page.to + carry}
                end={'end' in page ? page.end : false}
                className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}
              >
                {page.label}
              </NavLink>
            ))}
        </nav>
        <div className="who">
          <span className="who-role" title={`key ${whoami.keyId}`}>
            {whoami.role}
            {whoami.merchantIds.length > 0 && ` · ${whoami.merchantIds.join(', ')}`}
          </span>
          <button type="button" className="button-quiet" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
