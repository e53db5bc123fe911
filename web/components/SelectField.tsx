/** A labelled drop-down; `hideLabel` keeps the label for assistive technology only, for compact panel headers. */
export function SelectField<V extends string>({
  label,
  options,
  value,
  onChange,
  hideLabel = false,
  wide = false,
}: {
  label: string
  options: readonly { value: V; label: string }[]
  value: V
  onChange: (value: V) => void
  hideLabel?: boolean
  /** Two columns of a controls grid, for options too long for one. */
  wide?: boolean
}) {
  return (
    <label className={hideLabel ? 'inline-field' : wide ? 'field field-wide' : 'field'}>
      <span className={hideLabel ? 'visually-hidden' : undefined}>{label}</span>
      <select value={value} onChange={(event) => onChange(event.target.value as V)}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  )
}
