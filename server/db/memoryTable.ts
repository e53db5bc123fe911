/**
 * CREATE TABLE of a scratch table held in memory (a chunk's checked rows, its customer numbers), whose
 * column names and types come from a closed map in code, never from input.
 */
export function memoryTableSql(name: string, columns: Readonly<Record<string, string>>): string {
  const definition = Object.entries(columns).map(([column, type]) => `${column} ${type}`)
  return `CREATE TABLE ${name} (${definition.join(', ')}) ENGINE = Memory`
}
