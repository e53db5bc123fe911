/** Mean Earth radius (IUGG), metres: the great-circle distances of the geofences use it. */
const earthRadiusM = 6_371_008.8
const rad = Math.PI / 180

/** Great-circle (haversine) distance between two positions, metres. */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * rad
  const dLon = (lon2 - lon1) * rad
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2
  return 2 * earthRadiusM * Math.asin(Math.min(1, Math.sqrt(a)))
}

/**
 * A box in degrees that holds every point within radiusM of (lat, lon), a little generous: the index finds
 * candidates with it and distanceM decides. Boxes are not split at the antimeridian (no store sits there).
 */
export function boxAround(lat: number, lon: number, radiusM: number) {
  const dLat = (radiusM / (earthRadiusM * rad)) * 1.01
  const cosLat = Math.max(Math.cos(Math.min(Math.abs(lat) + dLat, 89.9) * rad), 1e-6)
  const dLon = dLat / cosLat
  return { minX: lon - dLon, minY: lat - dLat, maxX: lon + dLon, maxY: lat + dLat }
}

/**
 * The coarse cell a position is kept as: both coordinates floored to 0.01 degree (1.1 km north-south, less
 * east-west away from the equator), e.g. "40.71,-74.01". Nothing finer is ever written.
 */
export function coarseCell(lat: number, lon: number): string {
  return `${(Math.floor(lat * 100) / 100).toFixed(2)},${(Math.floor(lon * 100) / 100).toFixed(2)}`
}
