import { MongoClient } from 'mongodb';
import type { MongoConfig } from '@tally/config';

/**
 * The driver connects lazily on first use and reconnects by itself; a short server
 * selection timeout makes an outage surface as an error within seconds rather than
 * a request hanging for the driver's default 30 s.
 */
export function createMongoClient(config: MongoConfig, appName: string): MongoClient {
  return new MongoClient(config.url, {
    appName,
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 3_000,
  });
}
