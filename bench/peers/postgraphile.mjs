// PostGraphile 5 (Amber preset) on the same database, as the same role, with the tenant set per
// request through pgSettings, so that row-level security applies to it as to the API.
// Usage: APP_DATABASE_URL=… PORT=… TENANT=… node bench/peers/postgraphile.mjs
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

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.APP_DATABASE_URL,
      schemas: ['public'],
      poolConfig: { max: Number(process.env.PG_POOL_SIZE ?? 10) },
      pgSettings: () => ({ 'app.tenant': process.env.TENANT }),
      pgSettingsForIntrospection: { 'app.tenant': process.env.TENANT },
    }),
  ],
  grafast: { explain: false },
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
  schema: { exportSchemaSDLPath: process.env.SDL_PATH || undefined },
};
const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
serv.addTo(server).then(() => server.listen(Number(process.env.PORT), () => process.send?.('ready')));
