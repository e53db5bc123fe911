/** One choice out of a few, shown as joined buttons; the pressed one is the current choice. */
export function SegmentedControl<V extends string>({
  label,
  options,
  value,
  onChange,
}: {
  /** Names the group for assistive technology; the buttons name the choices. */
  label: string
  options: readonly { value: V; label: string }[]
  value: V
  onChange: (value: V) => void
}) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          aria-pressed={value === option.value}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  )
}
