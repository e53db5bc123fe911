import { useId, useState } from 'react'

interface NumberFieldProps {
  label: string
  value: number | undefined
  /** undefined when the field is emptied; never called with text that is not a number. */
  onChange: (value: number | undefined) => void
  /** e.g. "days" or a currency code, shown after the input. */
  unit?: string
  /** Why the value is refused (from the contract's checks), shown under the field. */
  error?: string | undefined
  placeholder?: string
  decimals?: boolean
}

/**
 * A labelled number input that keeps what is being typed ("12." on the way to "12.5") while passing on
 * only numbers; once the field loses focus it shows the value it holds.
 */
export function NumberField({
  label,
  value,
  onChange,
  unit,
  error,
  placeholder,
  decimals,
}: NumberFieldProps) {
  const errorId = useId()
  const [draft, setDraft] = useState<string | null>(null)
  return (
    <label className="field number-field">
      <span>{label}</span>
      <span className="number-input">
        <input
          type="text"
          inputMode={decimals ? 'decimal' : 'numeric'}
          value={draft ?? (value === undefined ? '' : String(value))}
          placeholder={placeholder}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            const text = event.target.value
            setDraft(text)
            if (text.trim() === '') onChange(undefined)
            else if (Number.isFinite(Number(text))) onChange(Number(text))
          }}
          onBlur={() => setDraft(null)}
        />
        {unit && <span className="number-unit">{unit}</span>}
      </span>
      {error && (
        <span id={errorId} className="form-error field-error">
          {error}
        </span>
      )}
    </label>
  )
}
