import { maskDeep, maskText, restoreMasked } from './mask';

describe('console masking', () => {
  it('masks phone fields and free-standing digit runs, but not dates, hex ids or numbers', () => {
    const doc = {
      _id: 'o_user',
      phone: { phoneNumber: '+8613812348000', purePhoneNumber: '13812348000', countryCode: '86', verifiedAt: '2026-03-01T08:00:00.000Z' },
      phoneMasked: '138****8000',
      note: 'call 13812348000 tomorrow',
      chargeId: '5e2a01234567890abcdef',
      startTime: 1764412345,
    };
    const masked = maskDeep(doc);
    expect(masked.phone.phoneNumber).toBe('861******8000');
    expect(masked.phone.purePhoneNumber).toBe('138****8000');
    expect(masked.phone.countryCode).toBe('86');
    expect(masked.phone.verifiedAt).toBe('2026-03-01T08:00:00.000Z');
    expect(masked.note).toBe('call 138****8000 tomorrow');
    expect(masked.chargeId).toBe(doc.chargeId);
    expect(masked.startTime).toBe(1764412345);
    expect(JSON.stringify(masked)).not.toMatch(/13812348000/);
    expect(maskText('[auth] {"phone":"13912345678"}')).toBe('[auth] {"phone":"139****5678"}');
  });

  it('puts stored values back where an edit still holds their mask', () => {
    const stored = { _id: 'o_user', phone: { purePhoneNumber: '13812348000', countryCode: '86' }, nickname: 'a' };
    const edited = { ...maskDeep(stored), nickname: 'b' };
    expect(restoreMasked(edited, stored)).toEqual({
      _id: 'o_user',
      phone: { purePhoneNumber: '13812348000', countryCode: '86' },
      nickname: 'b',
    });
    // A new number typed over the mask is kept.
    expect(restoreMasked({ phone: { purePhoneNumber: '13900000000' } }, stored)).toEqual({ phone: { purePhoneNumber: '13900000000' } });
  });
});

describe('console masking of ids', () => {
  it('leaves short numeric ids such as spuIds and second timestamps readable', () => {
    expect(maskDeep({ spuId: '10000077', t: '1795952279' })).toEqual({ spuId: '10000077', t: '1795952279' });
  });

  it('leaves a request id (a UUID) whole, even when its last group happens to be all digits', () => {
    const line = '{"request":"c955436b-9a8f-4def-ada7-484138000791","note":"call +86-13800138000"}';
    expect(maskText(line)).toBe('{"request":"c955436b-9a8f-4def-ada7-484138000791","note":"call +86-138****8000"}');
  });
});

describe('console masking of numbers written in other digits', () => {
  it('masks full-width numbers in phone fields and in free text', () => {
    const masked = maskDeep({ phone: '１３８ １２３４ ８０００', note: '电话１３８１２３４８０００' });
    expect(masked).toEqual({ phone: '１３８****８０００', note: '电话１３８****８０００' });
  });
});
