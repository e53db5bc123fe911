import { hiddenGroupText } from './privateCount.ts'

interface SuppressedNoteProps {
  groups: readonly { suppressed: boolean }[]
  threshold: number
  /** Who is counted, e.g. "customers" or "members". */
  of: string
  wholeHidden: boolean
}

/** Says which groups of a breakdown are listed without numbers, and why (see hiddenGroupText). */
export function SuppressedNote({ groups, threshold, of, wholeHidden }: SuppressedNoteProps) {
  const hidden = groups.filter((g) => g.suppressed).length
  if (hidden === 0) return null
  return (
    <p className="panel-note">
      {hiddenGroupText(groups, threshold, wholeHidden) === 'hidden'
        ? `Two groups are listed without numbers: one has fewer than ${threshold} ${of}, and the other is hidden with it, since subtracting it from the total would reveal the small one.`
        : `${hidden} ${hidden === 1 ? 'group' : 'groups'} of fewer than ${threshold} ${of} ${hidden === 1 ? 'is' : 'are'} listed without numbers, to protect their privacy.`}
    </p>
  )
}
