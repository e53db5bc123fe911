import { describe, expect, it } from 'vitest'
import { privateCount, suppressSmallGroups } from '../../server/queries/privacy.ts'
import { breakdownCells } from '../../server/queries/segmentPreview.ts'

describe('privateCount', () => {
  it.each([
    [0, 50, { size: null, suppressed: true }],
    [49, 50, { size: null, suppressed: true }],
    [50, 50, { size: 50, suppressed: false }],
    [59, 50, { size: 50, suppressed: false }],
    [60, 50, { size: 60, suppressed: false }],
    [12_345, 50, { size: 12_340, suppressed: false }],
    [99, 100, { size: null, suppressed: true }],
    [7, 5, { size: 0, suppressed: false }],
  ])('%i customers with K=%i', (customers, threshold, expected) => {
    expect(privateCount(customers, threshold)).toEqual(expected)
  })
})

describe('suppressSmallGroups', () => {
  const hiddenKeys = (groups: [string, number][], k = 50) =>
    suppressSmallGroups(
      groups,
      k,
      (g) => g[1],
      (a, b) => a[0].localeCompare(b[0]),
    )
      .filter((g) => g.hidden)
      .map((g) => g.group[0])

  it.each<[string, [string, number][], string[]]>([
    [
      'nothing small: nothing hidden',
      [
        ['a', 300],
        ['b', 60],
      ],
      [],
    ],
    [
      'one small group takes the next smallest with it',
      [
        ['a', 300],
        ['b', 60],
        ['c', 10],
      ],
      ['b', 'c'],
    ],
    [
      'two small groups: no complement needed',
      [
        ['a', 300],
        ['c', 10],
        ['b', 20],
      ],
      ['b', 'c'],
    ],
    ['a lone small group with nothing to pair stays hidden alone', [['c', 10]], ['c']],
    [
      'hidden groups follow in key order, not size',
      [
        ['a', 300],
        ['z', 1],
        ['m', 49],
        ['b', 2],
      ],
      ['b', 'm', 'z'],
    ],
  ])('%s', (_name, groups, hidden) => {
    expect(hiddenKeys(groups)).toEqual(hidden)
  })

  it('keeps shown groups in their given order, hidden ones after', () => {
    const result = suppressSmallGroups(
      [
        ['x', 500],
        ['y', 70],
        ['w', 3],
        ['v', 4],
      ] as [string, number][],
      50,
      (g) => g[1],
      (a, b) => a[0].localeCompare(b[0]),
    )
    expect(result.map((r) => [r.group[0], r.hidden])).toEqual([
      ['x', false],
      ['y', false],
      ['v', true],
      ['w', true],
    ])
  })
})

describe('breakdownCells', () => {
  it('rounds shown cells down to tens, largest first, hidden ones last by key', () => {
    const cells = breakdownCells(
      new Map([
        ['CN', 87],
        ['US', 512],
        ['FR', 49],
        ['GB', 51],
      ]),
      50,
      699,
    )
    // FR (49) is the one small group, so GB (51), the smallest shown, is hidden with it.
    expect(cells).toEqual([
      { key: 'US', size: 510, suppressed: false },
      { key: 'CN', size: 80, suppressed: false },
      { key: 'FR', size: null, suppressed: true },
      { key: 'GB', size: null, suppressed: true },
    ])
  })

  it('hides every cell when the whole segment is under K', () => {
    expect(
      breakdownCells(
        new Map([
          ['local', 45],
          ['tourist', 3],
        ]),
        50,
        48,
      ),
    ).toEqual([
      { key: 'local', size: null, suppressed: true },
      { key: 'tourist', size: null, suppressed: true },
    ])
  })
})
