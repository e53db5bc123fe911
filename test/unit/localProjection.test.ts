import { describe, expect, it } from 'vitest'
import { centreOf, createLocalProjection, scaleBarMetres } from '../../web/charts/localProjection.ts'

describe('local projection of a city', () => {
  const bryantPark = { lat: 40.7536, lon: -73.9832 }
  const wallStreet = { lat: 40.706, lon: -74.0088 }

  it('measures metres close to the great-circle distance within a city', () => {
    const projection = createLocalProjection(centreOf([bryantPark, wallStreet]))
    const a = projection.toMetres(bryantPark)
    const b = projection.toMetres(wallStreet)
    // Haversine distance between the two stores (mean Earth radius 6,371,008.8 m): 5,715.6 m.
    expect(Math.abs(Math.hypot(a.x - b.x, a.y - b.y) - 5715.6)).toBeLessThan(5715.6 * 0.001)
  })

  it('turns metres back into the same position', () => {
    const projection = createLocalProjection(bryantPark)
    const back = projection.toLatLon(projection.toMetres(wallStreet))
    expect(back.lat).toBeCloseTo(wallStreet.lat, 9)
    expect(back.lon).toBeCloseTo(wallStreet.lon, 9)
    expect(projection.toMetres(bryantPark)).toEqual({ x: 0, y: 0 })
  })

  it.each([
    [1234, 1000],
    [999, 500],
    [450, 200],
    [100, 100],
    [0.5, 1],
  ])('picks a round scale bar for %d m', (most, bar) => {
    expect(scaleBarMetres(most)).toBe(bar)
  })
})
