import { useEffect, useState } from 'react'

/**
 * A JSON value once it has stayed the same for `ms`, compared by its JSON (a rebuilt but equal object does
 * not restart the wait): a live figure follows a person's edits without a request per keystroke.
 */
export function useDebouncedValue<T>(value: T, ms: number): T {
  const key = JSON.stringify(value)
  const [settled, setSettled] = useState({ key, value })
  useEffect(() => {
    if (key === settled.key) return
    const timer = setTimeout(() => setSettled({ key, value: JSON.parse(key) as T }), ms)
    return () => clearTimeout(timer)
  }, [key, ms, settled.key])
  return settled.value
}
