// PostGraphile 5 as its users run it: the Amber preset with the simplify inflector
// (@graphile/simplify-inflection), over the public schema, as a role that may read it, with no
// per-request settings (pgSettings), so a request runs its one statement with no transaction around it.
// Without a tenant setting row-level security would hide every row, so the bench gives it a read-only
// role that bypasses RLS (BYPASSRLS): it enforces no tenant isolation and no authorisation at all, and
// returns names, ID numbers and money as stored (masking and formatting are its client's work).
// Usage: READER_DATABASE_URL=… PORT=… node bench/peers/postgraphile.mjs
// PostGraphile 5 declares Node 22; the machines run Node 20, which lacks Promise.withResolvers. With
// this polyfill, loaded before PostGraphile, it runs (RESULTS.md says so beside its figures).
import { createServer } from 'node:http';

Promise.withResolvers ??= function withResolvers() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
const { postgraphile } = await import('postgraphile');
const { makePgService } = await import('postgraphile/adaptors/pg');
const { grafserv } = await import('postgraphile/grafserv/node');
const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
const { PgSimplifyInflectionPreset } = await import('@graphile/simplify-inflection');

const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  pgServices: [
    makePgService({ connectionString: process.env.READER_DATABASE_URL, schemas: ['public'], poolConfig: { max: Number(process.env.PG_POOL_SIZE ?? 10) } }),
  ],
  grafast: { explain: false },
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  schema: { exportSchemaSDLPath: process.env.SDL_PATH || undefined },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server).then(() => server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready')));
