// The lint: typescript-eslint's recommended rules, and the layers of docs/architecture.md kept by
// import-x: nothing imports upward, domains import only the domains below them, no import cycle.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Top to bottom; a layer may import the layers below it only. */
const LAYERS = [
  ['cli', ['src/cli']],
  ['server', ['src/server', 'src/app.ts', 'src/main.ts']],
  ['domains', ['src/domains']],
  ['graphql', ['src/graphql']],
  ['context', ['src/context']],
  ['policy-engine', ['src/policy-engine']],
  ['policy-data', ['src/policy-data']],
  ['db', ['src/db']],
  ['common', ['src/common']],
];

/** Lowest first: a domain may import the domains before it only (src/server/modules.ts lists them so). */
const DOMAINS = ['public-policy', 'residents', 'assistance', 'subsidies', 'enrollment', 'refunds', 'policy-years', 'progress', 'audit'];

const zones = [
  ...LAYERS.flatMap(([name, paths], i) =>
    paths.map((target) => ({
      target: `./${target}`,
      from: LAYERS.slice(0, i).flatMap(([, above]) => above.map((p) => `./${p}`)),
      message: `${name} is below these layers (docs/architecture.md); it must not import them.`,
    })),
  ).filter((zone) => zone.from.length > 0),
  ...DOMAINS.map((domain, i) => ({
    target: `./src/domains/${domain}`,
    from: DOMAINS.slice(i + 1).map((d) => `./src/domains/${d}`),
    message: `the ${domain} domain comes before these domains (src/server/modules.ts); it must not import them.`,
  })).filter((zone) => zone.from.length > 0),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/node_modules/**', 'schema/generated/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Tests read GraphQL answers whose shape each test knows; typing every one would say nothing more.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Node scripts: the jest configuration, the build and watch scripts, the bench (require() of the built code).
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The dashboard's page script (public/dashboard/): a classic script in the browser, ECharts loaded before it.
    files: ['public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, echarts: 'readonly' } },
  },
  prettier,
);
