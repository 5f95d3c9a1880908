import { describe, expect, it } from 'vitest'
import { csvCell, csvRow } from './csv.js'

describe('csvCell', () => {
  it('quotes text, doubling quotes; keeps commas and newlines inside the cell', () => {
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"\nbye')).toBe('"say ""hi""\nbye"')
  })

  it('defuses spreadsheet formulas', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"')
    expect(csvCell('+1')).toBe('"\'+1"')
    expect(csvCell('-2')).toBe('"\'-2"')
    expect(csvCell('@SUM(A1)')).toBe('"\'@SUM(A1)"')
    expect(csvCell('\tx')).toBe('"\'\tx"')
    expect(csvCell('a=b')).toBe('"a=b"')
  })

  it('writes numbers and booleans bare, null and undefined empty', () => {
    expect(csvRow([0, 12, true, null, undefined, 'x'])).toBe('0,12,true,,,"x"\r\n')
  })
})
