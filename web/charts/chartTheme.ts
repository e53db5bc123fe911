/** Colours and type of every chart, matching styles.css. */
export const chartTheme = {
  current: '#1f6f8b',
  comparison: '#9aa3b2',
  positive: '#2f8f6a',
  negative: '#c0533f',
  grid: '#e9ecf1',
  axis: '#6b7486',
  fontSize: 12,
} as const
