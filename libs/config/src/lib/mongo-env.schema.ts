import { z } from 'zod';
import { urlField } from './env-fields.schema';

/** Environment variables every MongoDB-using service accepts. */
export const mongoEnvFields = {
  MONGO_URL: urlField('mongodb://127.0.0.1:27017/?directConnection=true', ['mongodb:', 'mongodb+srv:']),
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be a plain database name')
    .default('tally'),
};

export interface MongoConfig {
  readonly url: string;
  readonly database: string;
}

export const mongoConfigFrom = (env: { MONGO_URL: string; MONGO_DB: string }): MongoConfig => ({
  url: env.MONGO_URL,
  database: env.MONGO_DB,
});
