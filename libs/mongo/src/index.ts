export { createMongoClient } from './lib/create-mongo-client.util';
export { mongoConfigFrom, mongoEnvFields, type MongoConfig } from './lib/mongo-env.schema';
export { MONGO_CLIENT, MONGO_DB, MongoModule, MongoReadiness } from './lib/mongo.module';
