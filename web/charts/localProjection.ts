/** A position in degrees (WGS 84). */
export interface LatLon {
  lat: number
  lon: number
}

/** A point in metres east (x) and north (y) of the projection's centre. */
export interface Metres {
  x: number
  y: number
}

export interface LocalProjection {
  toMetres(position: LatLon): Metres
  toLatLon(point: Metres): LatLon
}

/** Metres per degree of latitude (mean), and of longitude at the equator. */
const metresPerDegreeLat = 111_132
const metresPerDegreeLon = 111_320

/**
 * An equirectangular projection around a centre: exact enough within a city (a few kilometres: the error is
 * well under 1% of the distance), which is all a plot of one city's stores needs. Not for whole countries.
 */
export function createLocalProjection(centre: LatLon): LocalProjection {
  const lonScale = metresPerDegreeLon * Math.cos((centre.lat * Math.PI) / 180)
  return {
    toMetres: ({ lat, lon }) => ({
      x: (lon - centre.lon) * lonScale,
      y: (lat - centre.lat) * metresPerDegreeLat,
    }),
    toLatLon: ({ x, y }) => ({
      lat: centre.lat + y / metresPerDegreeLat,
      lon: centre.lon + x / lonScale,
    }),
  }
}

/** The centre of the bounding box of positions (the positions of one city: no date-line crossing). */
export function centreOf(positions: readonly LatLon[]): LatLon {
  const lats = positions.map((p) => p.lat)
  const lons = positions.map((p) => p.lon)
  return {
    lat: (Math.min(...lats) + Math.max(...lats)) / 2,
    lon: (Math.min(...lons) + Math.max(...lons)) / 2,
  }
}

/** A round length for a scale bar (1, 2 or 5 times a power of ten metres) not longer than `most`. */
export function scaleBarMetres(most: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(most, 1)))
  return [5, 2, 1].map((step) => step * power).find((length) => length <= most) ?? power
}
