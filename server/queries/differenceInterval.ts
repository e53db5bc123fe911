/** z for a two-sided 95% interval (the 97.5th percentile of the standard normal). */
const z95 = 1.959963984540054

/** Wilson score interval of one proportion x/n (Newcombe's method 3). */
export function wilsonInterval(x: number, n: number, z = z95): [number, number] {
  const p = x / n
  const z2 = z * z
  const centre = p + z2 / (2 * n)
  const spread = z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)
  const denominator = 1 + z2 / n
  return [(centre - spread) / denominator, (centre + spread) / denominator]
}

/**
 * 95% interval of the difference of two independent proportions x1/n1 - x2/n2 by Newcombe's hybrid score
 * method (method 10 of Newcombe 1998, "Interval estimation for the difference between independent
 * proportions: comparison of eleven methods", Statistics in Medicine 17:873-890): each proportion's Wilson
 * interval, combined as the square root of the summed squared distances. Never outside [-1, 1].
 */
export function newcombeHybridInterval(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  z = z95,
): [number, number] {
  const p1 = x1 / n1
  const p2 = x2 / n2
  const [l1, u1] = wilsonInterval(x1, n1, z)
  const [l2, u2] = wilsonInterval(x2, n2, z)
  const d = p1 - p2
  return [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)]
}
