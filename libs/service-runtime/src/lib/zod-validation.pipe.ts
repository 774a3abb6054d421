import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { describeIssues, summariseProblems } from '@tally/contracts';

/**
 * Parses a request part with a zod contract; a failure is a 400 naming every field
 * and the rule it broke. Handlers receive only parsed, typed values.
 */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly part: 'body' | 'query' | 'params' = 'body',
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const problems = describeIssues(result.error);
    throw new BadRequestException({ message: `invalid ${this.part}: ${summariseProblems(problems)}`, problems });
  }
}
