import { fenToYuan, PRICE_FEN } from './pricing';

test.each([
  [0, '0.00'],
  [3, '0.03'],
  [17, '0.17'],
  [12345, '123.45'],
  [-4, '-0.04'],
])('%i fen is "%s" yuan', (fen, yuan) => {
  expect(fenToYuan(fen)).toBe(yuan);
});

test('a thousand quick charges cost exactly 30 yuan, with no float drift', () => {
  expect(fenToYuan(Array.from({ length: 1000 }, () => PRICE_FEN.quick).reduce((a, b) => a + b, 0))).toBe('30.00');
});

test('a thousand real-time charges cost exactly 40 yuan at list price (0.04 a call)', () => {
  expect(fenToYuan(Array.from({ length: 1000 }, () => PRICE_FEN.realtime).reduce((a, b) => a + b, 0))).toBe('40.00');
});

test('fractions of a fen are refused', () => {
  expect(() => fenToYuan(0.5)).toThrow();
});
