export { createMongoClient } from './lib/create-mongo-client.util';
export { MONGO_CLIENT, MONGO_DB, MongoModule, MongoReadiness } from './lib/mongo.module';
export { createIndexesOneByOne } from './lib/create-indexes.util';
