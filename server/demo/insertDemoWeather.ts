import type { Db } from '../db/createDb.ts'
import { demoBatchId, demoWeatherWindow, type DemoCity } from './demoCatalog.ts'

/**
 * Hourly weather for one city's station over the demo window, generated inside the engine.
 * Temperature: yearly cycle + daily cycle + slow "weather system" waves; wet spells come in 6-hour blocks
 * (a block is wet with the month's probability, and most of its hours rain), so rain arrives in runs.
 * Precipitation below freezing falls as snow (1 mm of water = 1 cm of snow).
 */
export async function insertDemoWeather(db: Db, city: DemoCity): Promise<void> {
  const c = city.climate
  await db.client.command({
    query: `
      INSERT INTO weather_observations
        (station_id, lat, lon, observed_at, temperature_c, precipitation_mm, snowfall_cm, condition, batch_id)
      SELECT
        {station:String}, {lat:Float64}, {lon:Float64}, observed_at,
        toFloat32(temperature) AS temperature_c,
        toFloat32(if(temperature < 0.5, 0, precipitation)) AS precipitation_mm,
        toFloat32(if(temperature < 0.5, precipitation, 0)) AS snowfall_cm,
        multiIf(snowfall_cm > 0, 'snow', precipitation_mm >= 0.1, 'rain', 'dry') AS condition,
        {batchId:String}
      FROM (
        SELECT
          toDateTime({firstHour:String}, 'UTC') + toIntervalHour(number) AS observed_at,
          toMonth(observed_at) AS month,
          toDayOfYear(observed_at) AS doy,
          (toHour(observed_at) + 24 + {utcOffset:Int8}) % 24 AS local_hour,
          cityHash64({station:String}, 'wet', intDiv(number, 6)) / 18446744073709551616.0
            < {wetBlocks:Array(Float64)}[month] AS wet_block,
          wet_block AND cityHash64({station:String}, 'rain', number) % 100 < 80 AS raining,
          if(raining,
             greatest(0.1, round({wetHourMm:Array(Float64)}[month]
               * (0.2 + 2.4 * pow(cityHash64({station:String}, 'mm', number) / 18446744073709551616.0, 2)), 1)),
             0) AS precipitation,
          round({meanC:Float64}
            + {seasonalC:Float64} * cos(2 * pi() * (doy - {warmestDay:UInt16}) / 365.25)
            + {dailyC:Float64} * cos(2 * pi() * (local_hour - 15) / 24)
            + 2.5 * sin(2 * pi() * doy / 9.3 + cityHash64({station:String}, 'p1') % 100)
            + 1.5 * sin(2 * pi() * doy / 4.1 + cityHash64({station:String}, 'p2') % 100)
            - if(wet_block, 1.5, 0), 1) AS temperature
        FROM numbers({hours:UInt32})
      )`,
    query_params: {
      station: city.station.id,
      lat: city.station.lat,
      lon: city.station.lon,
      batchId: demoBatchId,
      firstHour: demoWeatherWindow.firstHour,
      hours: demoWeatherWindow.hours,
      utcOffset: city.utcOffset,
      wetBlocks: c.wetBlocks,
      wetHourMm: c.wetHourMm,
      meanC: c.meanC,
      seasonalC: c.seasonalAmplitudeC,
      warmestDay: c.warmestDay,
      dailyC: c.dailyAmplitudeC,
    },
    clickhouse_settings: { log_comment: 'insertDemoWeather' },
  })
}
