/**
 * The TypeORM data source of the schema's owner, for the TypeORM CLI and `npm run migrate`.
 * synchronize is off: the schema changes only through migrations/.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';

export function ownerDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    entities: [],
    logging: ['error'],
  });
}

export default ownerDataSource(process.env.DATABASE_URL ?? 'postgres://localhost/insurance');
