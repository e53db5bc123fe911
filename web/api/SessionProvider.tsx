import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import type { Whoami } from '../../server/contract.ts'
import { ApiError, createApiClient, type ApiClient } from './apiClient.ts'
import { createQueryClient } from './createQueryClient.ts'

const storageKey = 'tillsight.apiKey'

export interface Session {
  key: string
  whoami: Whoami
  client: ApiClient
  /** Answers of this session, so going back to a view shows it at once; a new key starts empty. */
  queryClient: QueryClient
}

interface SessionContextValue {
  session: Session | null
  /** Why the last session ended, shown on the sign-in page. */
  endedBecause: string | null
  signIn(key: string, remember: boolean): Promise<void>
  signOut(reason?: string): void
}

const SessionContext = createContext<SessionContextValue | null>(null)

interface Stored {
  key: string
  whoami: Whoami
}

function readStored(): Stored | null {
  const raw = sessionStorage.getItem(storageKey) ?? localStorage.getItem(storageKey)
  if (!raw) return null
  try {
    return JSON.parse(raw) as Stored
  } catch {
    return null
  }
}

/**
 * Holds the API key of the signed-in person. The key lives in sessionStorage (gone with the tab) unless
 * they ask to be remembered on this device (localStorage). A 401 from any call ends the session.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [stored, setStored] = useState<Stored | null>(readStored)
  const [endedBecause, setEndedBecause] = useState<string | null>(null)

  const signOut = useCallback((reason?: string) => {
    sessionStorage.removeItem(storageKey)
    localStorage.removeItem(storageKey)
    setStored(null)
    setEndedBecause(reason ?? null)
  }, [])

  const session = useMemo<Session | null>(() => {
    if (!stored) return null
    const client = createApiClient(stored.key, () =>
      signOut('Your API key is no longer accepted (expired or revoked). Sign in again.'),
    )
    return { ...stored, client, queryClient: createQueryClient() }
  }, [stored, signOut])

  const signIn = useCallback(async (key: string, remember: boolean) => {
    const probe = createApiClient(key, () => undefined)
    let whoami: Whoami
    try {
      whoami = await probe.get<Whoami>('/api/v1/whoami')
    } catch (err) {
      if (err instanceof ApiError && err.status === 401)
        throw new ApiError(401, err.code, 'This key is unknown or revoked.')
      throw err
    }
    const value: Stored = { key, whoami }
    ;(remember ? localStorage : sessionStorage).setItem(storageKey, JSON.stringify(value))
    setEndedBecause(null)
    setStored(value)
  }, [])

  const value = useMemo(
    () => ({ session, endedBecause, signIn, signOut }),
    [session, endedBecause, signIn, signOut],
  )
  return (
    <SessionContext value={value}>
      {session ? (
        <QueryClientProvider client={session.queryClient}>{children}</QueryClientProvider>
      ) : (
        children
      )}
    </SessionContext>
  )
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession outside SessionProvider')
  return value
}

/** The signed-in session; only used below the sign-in gate. */
export function useSignedIn(): Session {
  const { session } = useSession()
  if (!session) throw new Error('useSignedIn without a session')
  return session
}
