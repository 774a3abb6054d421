import { describeIssues } from '../describe-issues.util';
import { analyticsSettingsRequestV1Schema } from './analytics-settings.schema';

const problemsOf = (body: unknown) => {
  const parsed = analyticsSettingsRequestV1Schema.safeParse(body);
  return parsed.success ? [] : describeIssues(parsed.error).map((p) => p.field);
};

describe('analyticsSettingsRequestV1Schema', () => {
  it('takes the whole lists, empty by default', () => {
    expect(analyticsSettingsRequestV1Schema.parse({})).toEqual({ dimensions: [], measures: [] });
    expect(
      analyticsSettingsRequestV1Schema.parse({
        dimensions: ['properties.plan', 'traits.company.size', 'context.app.version'],
        measures: ['properties.revenue'],
      }),
    ).toEqual({
      dimensions: ['properties.plan', 'traits.company.size', 'context.app.version'],
      measures: ['properties.revenue'],
    });
  });

  it.each([
    ['a standard dimension', { dimensions: ['$country'] }, 'dimensions.0'],
    ['the event name', { dimensions: ['event'] }, 'dimensions.0'],
    ['no root', { dimensions: ['plan'] }, 'dimensions.0'],
    ['a person’s email', { dimensions: ['properties.plan', 'traits.email'] }, 'dimensions.1'],
    ['identify traits copied into context', { measures: ['context.traits.name'] }, 'measures.0'],
    ['below an identifying field', { dimensions: ['context.traits.address.city'] }, 'dimensions.0'],
    ['the IP address', { dimensions: ['context.ip'] }, 'dimensions.0'],
    ['a key too long', { dimensions: [`properties.${'k'.repeat(200)}`] }, 'dimensions.0'],
    ['twice the same', { measures: ['properties.revenue', 'properties.revenue'] }, 'measures.1'],
    [
      'more than five dimensions',
      { dimensions: ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => `properties.${k}`) },
      'dimensions',
    ],
    ['more than three measures', { measures: ['a', 'b', 'c', 'd'].map((k) => `properties.${k}`) }, 'measures'],
    ['an unknown field', { dimensions: [], tenantId: 'x' }, ''],
  ])('refuses %s, naming the field', (_, body, field) => {
    expect(problemsOf(body)).toContain(field);
  });
});
