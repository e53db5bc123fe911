import { useEffect, useId, useRef, useState, type ReactNode } from 'react'

export interface MultiSelectOption {
  value: string
  label: string
  /** Shown after the label in muted type (e.g. a store's city); also searched. */
  detail?: string
}

interface MultiSelectFieldProps {
  label: string
  options: readonly MultiSelectOption[]
  selected: readonly string[]
  onChange: (next: string[]) => void
  /** What none ticked means ("All 7 stores", "Any country"); also the button that clears the choice. */
  noneLabel: string
  /** Told when the list opens or closes, so its options can be asked for only when needed. */
  onOpenChange?: (open: boolean) => void
  /** A line above the options, e.g. while they load or why they could not. */
  status?: ReactNode
  /** Offer to add what was typed when no option matches (free values such as wallet names). */
  allowCustom?: boolean
}

/** Long lists get a filter box; short ones are ticked at a glance. */
const searchFrom = 12

/** A disclosure of checkboxes; none ticked means no restriction. */
export function MultiSelectField({
  label,
  options,
  selected,
  onChange,
  noneLabel,
  onOpenChange,
  status,
  allowCustom,
}: MultiSelectFieldProps) {
  const id = useId()
  const [search, setSearch] = useState('')
  const [open, setOpen] = useState(false)
  const details = useRef<HTMLDetailsElement>(null)
  // An open list closes on a click elsewhere or on Escape, like a native select (details alone does not).
  useEffect(() => {
    const element = details.current
    if (!open || !element) return
    const close = () => {
      element.open = false
    }
    const onPointerDown = (event: PointerEvent) => {
      if (!element.contains(event.target as Node)) close()
    }
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return
      close()
      element.querySelector('summary')?.focus()
    }
    document.addEventListener('pointerdown', onPointerDown)
    document.addEventListener('keydown', onKeyDown)
    return () => {
      document.removeEventListener('pointerdown', onPointerDown)
      document.removeEventListener('keydown', onKeyDown)
    }
  }, [open])
  // Selected values the options do not know (e.g. from a shared link) stay visible and can be unticked.
  const known = new Set(options.map((option) => option.value))
  const all: MultiSelectOption[] = [
    ...options,
    ...selected.filter((v) => !known.has(v)).map((value) => ({ value, label: value })),
  ]
  const labelOf = (value: string) => all.find((option) => option.value === value)?.label ?? value
  const summary =
    selected.length === 0
      ? noneLabel
      : selected.length <= 2
        ? selected.map(labelOf).join(', ')
        : `${labelOf(selected[0] ?? '')} and ${selected.length - 1} more`
  const needle = search.trim().toLowerCase()
  const shown = needle
    ? all.filter((o) => `${o.value} ${o.label} ${o.detail ?? ''}`.toLowerCase().includes(needle))
    : all
  const custom = search.trim()
  const toggle = (value: string, on: boolean) =>
    onChange(on ? [...selected, value] : selected.filter((v) => v !== value))

  return (
    <div className="field">
      <span id={id}>{label}</span>
      <details
        ref={details}
        className="multi-select"
        onToggle={(event) => {
          setOpen(event.currentTarget.open)
          onOpenChange?.(event.currentTarget.open)
        }}
      >
        <summary aria-describedby={id} title={summary}>
          {summary}
        </summary>
        <fieldset aria-labelledby={id}>
          {(all.length >= searchFrom || allowCustom) && (
            <input
              type="search"
              className="multi-select-search"
              placeholder={allowCustom ? 'Filter or add…' : 'Filter…'}
              aria-label={`Filter ${label}`}
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
          )}
          {status}
          {shown.map((option) => (
            <label key={option.value} className="checkbox">
              <input
                type="checkbox"
                checked={selected.includes(option.value)}
                onChange={(event) => toggle(option.value, event.target.checked)}
              />
              <span>
                {option.label}
                {option.detail && <span className="muted"> · {option.detail}</span>}
              </span>
            </label>
          ))}
          {allowCustom && custom && !all.some((o) => o.value === custom) && (
            <button
              type="button"
              className="button-quiet"
              onClick={() => {
                onChange([...selected, custom])
                setSearch('')
              }}
            >
              Add “{custom}”
            </button>
          )}
          {selected.length > 0 && (
            <button type="button" className="button-quiet" onClick={() => onChange([])}>
              {noneLabel}
            </button>
          )}
        </fieldset>
      </details>
    </div>
  )
}
