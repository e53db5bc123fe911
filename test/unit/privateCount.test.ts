import { describe, expect, it } from 'vitest'
import { hiddenGroupText, privateCount } from '../../web/components/privateCount.ts'

const shown = (size: number) => ({ size, suppressed: false })
const hidden = { size: null, suppressed: true }

describe('counts under the privacy threshold', () => {
  it('reads "fewer than K" for a hidden count, never a number or 0', () => {
    expect(privateCount(hidden, 50, String)).toBe('fewer than 50')
    expect(privateCount({ size: 0, suppressed: true }, 50, String)).toBe('fewer than 50')
    expect(privateCount(shown(1230), 50, (v) => `#${v}`)).toBe('#1230')
    expect(privateCount(hidden, 50, String, 'hidden')).toBe('hidden')
  })

  it.each([
    ['no hidden group', [shown(100), shown(60)], false, 'fewer than 50'],
    [
      'one hidden group (a lone small group is always hidden with another)',
      [shown(100), hidden],
      false,
      'fewer than 50',
    ],
    [
      'two hidden groups: one may be a larger group hidden with a small one',
      [shown(900), hidden, hidden],
      false,
      'hidden',
    ],
    ['three hidden groups: all small', [shown(900), hidden, hidden, hidden], false, 'fewer than 50'],
    ['two hidden groups of a segment under K: both small', [hidden, hidden], true, 'fewer than 50'],
  ] as const)('%s', (_case, groups, wholeHidden, text) => {
    expect(hiddenGroupText(groups, 50, wholeHidden)).toBe(text)
  })
})
