import { storedFields } from './stored-fields.codec';

describe('storedFields', () => {
  const cases = [
    { props: [], nums: [] },
    { props: ['$path=/a'], nums: [] },
    {
      props: ['properties.a%2Eb==x', 'properties.n=-0.5', 'properties.big=1e+21', 'properties.s=a b'],
      nums: [
        { k: 'properties.big', n: 1e21 },
        { k: 'properties.n', n: -0.5 },
        { k: 'properties.tiny', n: 5e-324 },
      ],
    },
  ];

  it.each(cases)('gives back what it stored: %j', (fields) => {
    expect(storedFields.decode(storedFields.encode(fields))).toEqual(fields);
  });

  it('frames every entry, so an entry is found as \\n<entry>\\n', () => {
    expect(storedFields.encode({ props: ['a=1', 'b=2'], nums: [{ k: 'a', n: 1 }] })).toEqual({
      props: '\na=1\nb=2\n',
      nums: '\na=1\n',
    });
    expect(storedFields.encode({ props: [], nums: [] })).toEqual({ props: '', nums: '' });
  });
});
