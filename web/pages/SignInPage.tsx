import { useState, type FormEvent } from 'react'
import { ApiError } from '../api/apiClient.ts'
import { useSession } from '../api/SessionProvider.tsx'

export function SignInPage() {
  const { signIn, endedBecause } = useSession()
  const [key, setKey] = useState('')
  const [remember, setRemember] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await signIn(key.trim(), remember)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
      setBusy(false)
    }
  }

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={(event) => void submit(event)} aria-labelledby="signin-title">
        <div className="brand signin-brand">
          <span className="brand-mark" aria-hidden="true" />
          Tillsight
        </div>
        <h1 id="signin-title">Sign in</h1>
        <p className="muted">
          Your sales, hours, weather and visitors at a glance. Sign in with your API key.
        </p>
        {endedBecause && (
          <p className="notice" role="status">
            {endedBecause}
          </p>
        )}
        <label className="field">
          <span>API key</span>
          <input
            name="apiKey"
            type="password"
            autoComplete="current-password"
            required
            value={key}
            onChange={(event) => setKey(event.target.value)}
            autoFocus
          />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} />
          <span>Keep me signed in on this device</span>
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="hint">
          The server prints the admin key when it starts; merchants get theirs from an admin.
        </p>
      </form>
    </main>
  )
}
