/** Says how many groups of a table are listed without numbers because they are under the privacy threshold. */
export function SuppressedNote({ hidden, threshold, of }: { hidden: number; threshold: number; of: string }) {
  if (hidden === 0) return null
  return (
    <p className="panel-note">
      {hidden} {hidden === 1 ? 'group' : 'groups'} of fewer than {threshold} {of}{' '}
      {hidden === 1 ? 'is' : 'are'} listed in the table without numbers, to protect their privacy.
    </p>
  )
}
