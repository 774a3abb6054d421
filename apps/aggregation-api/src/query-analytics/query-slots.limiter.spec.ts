import { parseTenantId, type TenantId } from '@tally/tenant-scope';
import { QuerySlots } from './query-slots.limiter';

const a = parseTenantId('t_aaaaaaaaaaaaaaaaaaaa') as TenantId;
const b = parseTenantId('t_bbbbbbbbbbbbbbbbbbbb') as TenantId;

describe('QuerySlots', () => {
  it('gives each tenant at most its slots, whatever another tenant holds', () => {
    const slots = new QuerySlots(2);
    expect(slots.take(a)).toBeInstanceOf(Function);
    expect(slots.take(a)).toBeInstanceOf(Function);
    expect(slots.take(a)).toBeUndefined();
    expect(slots.take(b)).toBeInstanceOf(Function);
    expect([slots.heldBy(a), slots.heldBy(b)]).toEqual([2, 1]);
  });

  it('frees a slot when it is given back, and only once however often it is given back', () => {
    const slots = new QuerySlots(2);
    const first = slots.take(a) as () => void;
    slots.take(a);
    first();
    first();
    expect(slots.heldBy(a)).toBe(1);
    expect(slots.take(a)).toBeInstanceOf(Function);
    expect(slots.take(a)).toBeUndefined();
  });
});
