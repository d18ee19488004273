import { OrderRefused, orderIdFor, orderView, priceOrder, productView, type OrderDoc } from './order';

const OPEN = { hidePrices: false, hideShippingAddress: false };
const LINES = [
  { productId: 'sample-a', qty: 2 },
  { productId: 'sample-b', qty: 1 },
];
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof OrderRefused ? `${err.reason} ${err.field}` : String(err);
  }
  return 'no refusal';
};

test('prices from the catalogue, total in fen', () => {
  expect(priceOrder({ mode: 'order', lines: LINES, address: ' 深圳 ' }, OPEN)).toEqual({
    lines: [
      { productId: 'sample-a', name: '示例商品 A', qty: 2, unitPriceFen: 1250 },
      { productId: 'sample-b', name: '示例商品 B', qty: 1, unitPriceFen: 399 },
    ],
    totalFen: 2899,
    address: '深圳',
  });
});

test('each flag refuses what it forbids, naming the field', () => {
  expect(refusal(() => priceOrder({ mode: 'order', lines: LINES, address: '深圳' }, { ...OPEN, hidePrices: true }))).toBe(
    'prices-hidden mode',
  );
  expect(refusal(() => priceOrder({ mode: 'bookkeeping', lines: LINES, address: '深圳' }, { ...OPEN, hideShippingAddress: true }))).toBe(
    'address-not-collected address',
  );
  expect(refusal(() => priceOrder({ mode: 'order', lines: LINES, address: '  ' }, OPEN))).toBe('address-needed address');
  expect(refusal(() => priceOrder({ mode: 'bookkeeping', lines: [{ productId: 'x', qty: 1 }] }, OPEN))).toBe(
    'unknown-product lines.0.productId',
  );
  expect(
    priceOrder({ mode: 'bookkeeping', lines: LINES, address: '' }, { hidePrices: true, hideShippingAddress: true }).address,
  ).toBeNull();
});

test('views carry no price while prices are hidden now or were when the order was placed', () => {
  const doc: OrderDoc = {
    _id: 'abc',
    _openid: 'o_x',
    mode: 'bookkeeping',
    status: 'submitted',
    lines: [{ productId: 'sample-a', name: '示例商品 A', qty: 2, unitPriceFen: 1250 }],
    totalFen: 2500,
    address: '深圳',
    pricesHidden: false,
    createdAt: new Date('2026-05-01T00:00:00Z'),
    requestId: null,
  };
  expect(orderView(doc, OPEN)).toMatchObject({ totalFen: 2500, lines: [{ unitPriceFen: 1250, amountFen: 2500 }], address: '深圳' });
  for (const view of [orderView(doc, { ...OPEN, hidePrices: true }), orderView({ ...doc, pricesHidden: true }, OPEN)]) {
    expect(JSON.stringify(view)).not.toMatch(/Fen/);
  }
  expect(orderView(doc, { ...OPEN, hideShippingAddress: true }).address).toBeNull();
  expect(JSON.stringify(productView([{ productId: 'p', name: 'n', unitPriceFen: 1 }], { ...OPEN, hidePrices: true }))).not.toMatch(/Fen/);
});

test('order ids: the same user and request give the same id; another user another', () => {
  expect(orderIdFor('o_a', 'req_12345678')).toBe(orderIdFor('o_a', 'req_12345678'));
  expect(orderIdFor('o_a', 'req_12345678')).not.toBe(orderIdFor('o_b', 'req_12345678'));
  expect(orderIdFor('o_a', 'req_12345678')).toMatch(/^[0-9a-f]{24}$/);
});
