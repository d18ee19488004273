import { BOM, toCsv } from './csv';

test('a BOM first, CRLF line ends, quotes where a cell needs them', () => {
  expect(
    toCsv([
      ['日期', '说明'],
      ['2026-12-01', 'a, "b"\nc'],
    ]),
  ).toBe(`${BOM}日期,说明\r\n2026-12-01,"a, ""b""\nc"\r\n`);
});

test('a cell that would start a formula stays text; numbers are written as they are', () => {
  expect(toCsv([['=HYPERLINK("x")', '+1', '-2', '@a', -3, 0.5, null]])).toBe(`${BOM}"'=HYPERLINK(""x"")",'+1,'-2,'@a,-3,0.5,\r\n`);
});
