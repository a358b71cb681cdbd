/**
 * GraphiQL for browsers, served by the server itself with every script and stylesheet from the
 * installed packages (graphiql, react, react-dom): it works on a closed government network.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** URL path → file, read once at start. */
export const GRAPHIQL_ASSETS: Record<string, { type: string; body: Buffer }> = Object.fromEntries(
  [
    ['/graphiql/react.production.min.js', join(packageDir('react'), 'umd', 'react.production.min.js'), 'text/javascript'],
    ['/graphiql/react-dom.production.min.js', join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), 'text/javascript'],
    ['/graphiql/graphiql.min.js', join(packageDir('graphiql'), 'graphiql.min.js'), 'text/javascript'],
    ['/graphiql/graphiql.min.css', join(packageDir('graphiql'), 'graphiql.min.css'), 'text/css'],
  ].map(([path, file, type]) => [path, { type: `${type}; charset=utf-8`, body: readFileSync(file) }]),
);

export const GRAPHIQL_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>城乡居民医保 GraphQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="/graphiql/react.production.min.js"></script>
  <script src="/graphiql/react-dom.production.min.js"></script>
  <script src="/graphiql/graphiql.min.js"></script>
  <script>
    // The preflight header satisfies the server's CSRF prevention; add Authorization and x-tenant-id
    // in the Headers tab for operations that need a token.
    const fetcher = GraphiQL.createFetcher({ url: '/graphql', headers: { 'apollo-require-preflight': 'true' } });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultQuery: '{\\n  tenants {\\n    code\\n    name\\n  }\\n}\\n',
        defaultHeaders: '{\\n  "Authorization": "Bearer <npm run token -- --tenant 620702 --role ADMIN>",\\n  "x-tenant-id": "620702"\\n}',
      }),
    );
  </script>
</body>
</html>
`;
