/**
 * The rules a schema and its SQL must keep for Citus to run them (docs/scale.md), checked on plain
 * PostgreSQL: in the catalog after migrating, in the source of migrations written after CitusReady, and
 * in the SQL texts the application sends. Each check returns what breaks a rule, in words; none is a
 * parser: they read SQL the way this project writes it, and their own tests show what they catch.
 */
import type pg from 'pg';
import { COORDINATOR_TABLES, NATIONAL_TABLES, REFERENCE_TABLES } from '../../migrations/citus';

/** Functions that read or write the national indexes: each must be a statement of its own. */
export const INDEX_FUNCTIONS = [
  'scheme_elsewhere',
  'insured_elsewhere',
  'scheme_transfers_out',
  'scheme_duplicates',
  'scheme_membership_apply',
  'scheme_transfer_record',
];

/** Calls that Citus refuses in ON CONFLICT … DO UPDATE SET on a distributed table (only IMMUTABLE functions pass). */
const VOLATILE_CALL =
  /\b(now|clock_timestamp|statement_timestamp|transaction_timestamp|timeofday|random|gen_random_uuid|uuid_generate_v4|nextval|currval|setval|current_setting|txid_current|pg_current_xact_id)\s*\(|\b(current_timestamp|current_date|current_time|localtimestamp|localtime)\b/i;

/** The text of `sql` from `start` to the end of its clause: a closing parenthesis of an enclosing level, a `;`, or RETURNING. */
function clauseFrom(sql: string, start: number): string {
  let depth = 0;
  for (let i = start; i < sql.length; i++) {
    const ch = sql[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      if (depth === 0) return sql.slice(start, i);
      depth--;
    } else if (depth === 0 && (ch === ';' || /^RETURNING\b/i.test(sql.slice(i, i + 10)))) return sql.slice(start, i);
  }
  return sql.slice(start);
}

/** The text of `sql` from `start` to the end of its statement: a closing parenthesis of an enclosing level, a `;`, or the end. */
function statementFrom(sql: string, start: number): string {
  let depth = 0;
  for (let i = start; i < sql.length; i++) {
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')') {
      if (depth === 0) return sql.slice(start, i);
      depth--;
    } else if (sql[i] === ';' && depth === 0) return sql.slice(start, i);
  }
  return sql.slice(start);
}

/** Tables a statement reads or writes: a name after FROM, JOIN, INTO or UPDATE that is not a function call. */
function tablesOf(sql: string): string[] {
  const names: string[] = [];
  for (const match of sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)\b(?!\s*\()/gi)) names.push(match[1].toLowerCase());
  return names.filter((n) => !['unnest', 'generate_series', 'lateral', 'select', 'set', 'of'].includes(n));
}

/** What breaks a rule in one SQL text (a statement, or a message of several). */
export function sqlTextProblems(sql: string): string[] {
  const problems: string[] = [];
  for (const match of sql.matchAll(/\bDO\s+UPDATE\s+SET\b/gi)) {
    const set = clauseFrom(sql, match.index + match[0].length);
    const call = VOLATILE_CALL.exec(set);
    if (call)
      problems.push(
        `ON CONFLICT DO UPDATE SET calls ${call[0].trim()}: Citus allows only IMMUTABLE functions there; put the value in the inserted row and take EXCLUDED's`,
      );
  }
  for (const match of sql.matchAll(/\bRETURNING\b/gi)) {
    const returning = clauseFrom(sql, match.index + match[0].length);
    const call = VOLATILE_CALL.exec(returning) ?? /\bto_char\s*\(/i.exec(returning);
    if (call)
      problems.push(`RETURNING calls ${call[0].trim()}: Citus allows only IMMUTABLE functions there; return the column and format it in the application`);
  }
  for (const statement of sql.split(';')) {
    const calls = INDEX_FUNCTIONS.filter((f) => new RegExp(`\\b${f}\\s*\\(`, 'i').test(statement));
    const tables = tablesOf(statement);
    if (calls.length > 0 && tables.length > 0) {
      problems.push(
        `${calls.join(', ')} called in a statement that also reads ${[...new Set(tables)].join(', ')}: on Citus that statement runs on a shard, from where the index cannot be queried; call it in a statement of its own`,
      );
    }
  }
  for (const match of sql.matchAll(/\bINSERT\s+INTO\s+([a-z_][a-z0-9_]*)/gi)) {
    const insert = statementFrom(sql, match.index);
    if (/\bSELECT\b/i.test(insert) && !/\bVALUES\b/i.test(insert) && !/\bON\s+CONFLICT\b/i.test(insert) && !/\bRETURNING\b/i.test(insert)) {
      problems.push(
        `INSERT INTO ${match[1]} … SELECT without ON CONFLICT or RETURNING: Citus then copies the rows into the shards with COPY, which row-level security refuses; add RETURNING`,
      );
    }
  }
  if (/\bSET\s+CONSTRAINTS\b/i.test(sql))
    problems.push('SET CONSTRAINTS: Citus does not send it to the workers, which check every key at once; order the writes so that every key holds');
  const statements = sql
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  if (statements.some((s) => /^SET\s+LOCAL\b/i.test(s)) && statements.some((s) => !/^SET\s+LOCAL\b/i.test(s))) {
    problems.push('SET LOCAL sent with other statements in one message: Citus replays the whole message on each worker');
  }
  return problems;
}

/**
 * What a request transaction's SQL must not do behind a pooler in transaction mode (DATABASE_POOLER):
 * leave state in the session, which reaches another client, or rely on it, which is lost.
 */
export function pooledSqlProblems(sql: string): string[] {
  const problems: string[] = [];
  for (const s of sql
    .split(';')
    .map((t) => t.trim())
    .filter(Boolean)) {
    if (/^SET\s+(?!LOCAL\b)(?!TRANSACTION\b)(?!CONSTRAINTS\b)/i.test(s))
      problems.push(
        `a session-level SET (${s.slice(0, 60)}): behind a pooler in transaction mode it reaches other clients; use SET LOCAL or set_config(…, true)`,
      );
    if (
      /^(LISTEN|UNLISTEN|PREPARE|DEALLOCATE)\b/i.test(s) ||
      /\bpg_advisory_lock\s*\(/i.test(s) ||
      /\bWITH\s+HOLD\b/i.test(s) ||
      /^CREATE\s+(TEMP|TEMPORARY)\b/i.test(s)
    ) {
      problems.push(`session state in a request's SQL (${s.slice(0, 60)}): it does not survive a pooler in transaction mode`);
    }
  }
  return problems;
}

export interface CatalogTable {
  name: string;
  tenantCode: boolean;
}

type Kind = 'tenant' | 'reference' | 'national' | 'coordinator';

export function kindOf(table: CatalogTable): Kind | null {
  if ((REFERENCE_TABLES as readonly string[]).includes(table.name)) return 'reference';
  if (NATIONAL_TABLES[table.name]) return 'national';
  if ((COORDINATOR_TABLES as readonly string[]).includes(table.name)) return 'coordinator';
  return table.tenantCode ? 'tenant' : null;
}

/** What breaks a rule in the migrated schema of the database `client` is connected to. */
export async function catalogProblems(client: pg.Client): Promise<string[]> {
  const problems: string[] = [];
  const tables = (
    await client.query<CatalogTable>(`
      SELECT c.relname AS name, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_code' AND NOT a.attisdropped) AS "tenantCode"
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`)
  ).rows;
  const kinds = new Map<string, Kind>();
  for (const table of tables) {
    const kind = kindOf(table);
    if (kind) kinds.set(table.name, kind);
    else problems.push(`table ${table.name} has no tenant_code and is not named a reference, national or coordinator table in migrations/citus.ts`);
  }
  const placed = [...kinds].filter(([, k]) => k !== 'coordinator').map(([n]) => n);

  // Keys: every unique key holds the distribution column; the project's rule, it leads.
  const keys = (
    await client.query<{ table: string; index: string; columns: string[] }>(`
      SELECT c.relname AS table, i.relname AS index,
             ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
        FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
       WHERE c.relnamespace = 'public'::regnamespace AND x.indisunique`)
  ).rows;
  for (const key of keys) {
    const kind = kinds.get(key.table);
    if (kind === 'tenant' && key.columns[0] !== 'tenant_code')
      problems.push(`unique key ${key.index} of ${key.table} does not lead with tenant_code (${key.columns.join(', ')})`);
    if (kind === 'national' && !key.columns.includes(NATIONAL_TABLES[key.table]))
      problems.push(`unique key ${key.index} of ${key.table} lacks its distribution column ${NATIONAL_TABLES[key.table]}`);
  }

  // Distribution columns of one type, so that tables can be colocated.
  const types = (
    await client.query<{ table: string; column: string; type: string }>(`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attname IN ('tenant_code', 'id_number') AND NOT a.attisdropped`)
  ).rows;
  for (const t of types) {
    const kind = kinds.get(t.table);
    const distribution = kind === 'tenant' || kind === 'reference' ? 'tenant_code' : kind === 'national' ? NATIONAL_TABLES[t.table] : null;
    if (t.column === distribution && t.type !== 'text') problems.push(`${t.table}.${t.column} is ${t.type}: every distribution column of its group is text`);
  }

  // Foreign keys: no cascading actions; only between tables Citus can keep them between.
  const foreign = (
    await client.query<{ name: string; from: string; to: string; update: string; delete: string; columns: string[]; refcolumns: string[] }>(`
      SELECT k.conname AS name, c.relname AS from, r.relname AS to, k.confupdtype AS update, k.confdeltype AS delete,
             ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(attnum, n) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.n)::text[] AS columns,
             ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(attnum, n) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.n)::text[] AS refcolumns
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
       WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace`)
  ).rows;
  for (const key of foreign) {
    if (key.update !== 'a' && key.update !== 'r')
      problems.push(`foreign key ${key.name} of ${key.from} has an ON UPDATE action: Citus refuses cascading updates of keys; correct the rows explicitly`);
    if (key.delete !== 'a' && key.delete !== 'r') problems.push(`foreign key ${key.name} of ${key.from} has an ON DELETE action: delete the rows explicitly`);
    const [from, to] = [kinds.get(key.from), kinds.get(key.to)];
    if (from === 'coordinator' || to === 'coordinator')
      problems.push(`foreign key ${key.name} ties ${key.from} to ${key.to}: a coordinator table has no keys with the others`);
    else if (from === 'reference' && to !== 'reference')
      problems.push(`foreign key ${key.name} from the reference table ${key.from} to ${key.to}: Citus refuses keys from reference to distributed tables`);
    else if (to !== 'reference' && from !== to)
      problems.push(`foreign key ${key.name} from ${key.from} (${from}) to ${key.to} (${to}): tables of different shard groups cannot have keys between them`);
    else if (from === 'tenant' && to === 'tenant' && key.columns.indexOf('tenant_code') !== key.refcolumns.indexOf('tenant_code')) {
      problems.push(
        `foreign key ${key.name} of ${key.from} does not match tenant_code with tenant_code: Citus keeps keys between colocated tables only on their distribution column`,
      );
    }
  }

  // No triggers on tables Citus places on workers.
  const triggers = (
    await client.query<{ table: string; name: string }>(`
      SELECT c.relname AS table, t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
       WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2`)
  ).rows;
  for (const t of triggers) {
    if (placed.includes(t.table))
      problems.push(
        `trigger ${t.name} on ${t.table}: a shard's trigger runs on its worker, where it reaches neither other shard groups nor the servers' LISTEN; write what it wrote from the repository, in the same transaction`,
      );
  }

  // Identity columns bigint (Citus distributes identity columns of type bigint only).
  const identities = (
    await client.query<{ table: string; column: string; type: string }>(`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = 'public'::regnamespace AND a.attidentity <> '' AND NOT a.attisdropped`)
  ).rows;
  for (const i of identities) if (i.type !== 'bigint') problems.push(`identity column ${i.table}.${i.column} is ${i.type}: Citus needs bigint`);

  // Identity sequences usable by the request role where it inserts: Citus may take the value as the caller.
  const sequences = (
    await client.query<{ table: string; sequence: string }>(`
      WITH identity AS MATERIALIZED (
        SELECT t.oid AS table_oid, t.relname AS table, c.oid AS sequence_oid, c.relname AS sequence FROM pg_class c
          JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'i' JOIN pg_class t ON t.oid = d.refobjid
         WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace)
      SELECT "table", sequence FROM identity
       WHERE has_table_privilege('insurance_app', table_oid, 'INSERT') AND NOT has_sequence_privilege('insurance_app', sequence_oid, 'USAGE')`)
  ).rows;
  for (const s of sequences)
    problems.push(`${s.table} lets the request role insert but not use ${s.sequence}: Citus takes identity values as the caller; GRANT USAGE`);

  // Row-level security on every tenant table, forced.
  const unprotected = (
    await client.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND NOT (relrowsecurity AND relforcerowsecurity)`,
    )
  ).rows;
  for (const u of unprotected) if (kinds.get(u.name) === 'tenant') problems.push(`tenant table ${u.name} has no forced row-level security`);

  // Functions: no LANGUAGE sql function over placed tables (Citus cannot plan them with parameters),
  // and the statements of the others keep the SQL rules.
  const functions = (
    await client.query<{ name: string; language: string; body: string }>(`
      SELECT p.proname AS name, l.lanname AS language, p.prosrc AS body FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
       WHERE p.pronamespace = 'public'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`)
  ).rows;
  for (const f of functions) {
    const touched = tablesOf(f.body).filter((t) => placed.includes(t));
    if (f.language === 'sql' && touched.length > 0)
      problems.push(`function ${f.name} is LANGUAGE sql over ${[...new Set(touched)].join(', ')}: Citus cannot plan it; write it in PL/pgSQL`);
    for (const problem of sqlTextProblems(f.body)) problems.push(`function ${f.name}: ${problem}`);
  }
  return problems;
}

/** The migration that put the schema on Citus: later migrations create their tables already where they belong. */
export const CITUS_READY = 1763801500000;

/** What breaks a rule in the source of a migration written after CitusReady. */
export function migrationSourceProblems(file: string, source: string): string[] {
  const problems: string[] = [];
  for (const match of source.matchAll(/CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)\s*\(/gi)) {
    const table = match[1];
    const body = clauseFrom(source, match.index + match[0].length);
    if (/\bREFERENCES\b/i.test(body))
      problems.push(
        `${file}: CREATE TABLE ${table} declares a foreign key: Citus cannot distribute a table tied to local tables; add each key after distributeNewTable, one per ALTER TABLE`,
      );
    if (!new RegExp(`distributeNewTable\\(\\s*q\\s*,\\s*'${table}'\\s*\\)`).test(source))
      problems.push(`${file}: CREATE TABLE ${table} without distributeNewTable(q, '${table}')`);
  }
  for (const match of source.matchAll(/ALTER\s+TABLE\s+(?:ONLY\s+)?([a-z_][a-z0-9_]*)\s+/gi)) {
    // The statement ends where the string holding it ends (or at a semicolon).
    const opener = /[`'"][^`'"]*$/.exec(source.slice(0, match.index))?.[0][0] ?? '`';
    const rest = source.slice(match.index + match[0].length);
    const end = rest.search(new RegExp(`[${opener};]`));
    const commands = splitTopLevel(end < 0 ? rest : rest.slice(0, end));
    if (commands.length > 1 && commands.some((c) => /^ADD\s+(CONSTRAINT|PRIMARY|FOREIGN|UNIQUE|CHECK)\b/i.test(c))) {
      problems.push(`${file}: ALTER TABLE ${match[1]} adds a constraint beside other subcommands: Citus refuses that; one constraint per ALTER TABLE`);
    }
    for (const c of commands) {
      if (/^ADD\s+(COLUMN\s+)?(?!CONSTRAINT\b)/i.test(c) && /\b(CHECK|REFERENCES|UNIQUE|PRIMARY\s+KEY)\b/i.test(c)) {
        problems.push(
          `${file}: ALTER TABLE ${match[1]} adds a column with an unnamed constraint (${c.slice(0, 60)}): Citus needs every constraint named, added on its own`,
        );
      }
    }
  }
  if (/\bCREATE\s+(OR\s+REPLACE\s+)?TRIGGER\b/i.test(source)) problems.push(`${file}: CREATE TRIGGER: no triggers on tables Citus distributes`);
  return problems;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/**
 * The template literals of a TypeScript source, outermost ones, as the SQL they build: each `${NAME}`
 * that names a constant template of the same file (a SQL fragment) is put in, any other expression
 * becomes `$expr` (a value or a list of columns), and a template given to countedInsert() ends with
 * the RETURNING it adds.
 */
export function sqlTemplates(source: string): string[] {
  const raw: Array<{ parts: string[]; exprs: string[] }> = [];
  let i = 0;
  // Reads a template starting after its backtick; returns its parts and expressions, and where it ends.
  const template = (): { parts: string[]; exprs: string[] } => {
    const parts = [''];
    const exprs: string[] = [];
    while (i < source.length) {
      const ch = source[i];
      if (ch === '\\') {
        parts[parts.length - 1] += source.slice(i, i + 2);
        i += 2;
      } else if (ch === '`') {
        i++;
        return { parts, exprs };
      } else if (ch === '$' && source[i + 1] === '{') {
        i += 2;
        const start = i;
        code(true);
        exprs.push(source.slice(start, i - 1).trim());
        parts.push('');
      } else {
        parts[parts.length - 1] += ch;
        i++;
      }
    }
    return { parts, exprs };
  };
  // Skips code up to the brace that closes an expression (when `inExpression`) or the end.
  const code = (inExpression: boolean): void => {
    let depth = 0;
    while (i < source.length) {
      const ch = source[i];
      if (ch === '/' && source[i + 1] === '/') i = source.indexOf('\n', i) < 0 ? source.length : source.indexOf('\n', i);
      else if (ch === '/' && source[i + 1] === '*') i = source.indexOf('*/', i + 2) + 2;
      else if (ch === "'" || ch === '"') {
        i++;
        while (i < source.length && source[i] !== ch) i += source[i] === '\\' ? 2 : 1;
        i++;
      } else if (ch === '`') {
        const counted = /countedInsert\(\s*$/.test(source.slice(Math.max(0, i - 40), i));
        i++;
        const t = template();
        // src/db/bulk.ts countedInsert: the statement as it is sent.
        if (counted) t.parts[t.parts.length - 1] += ' RETURNING 1';
        if (!inExpression) raw.push(t);
      } else if (ch === '{') {
        depth++;
        i++;
      } else if (ch === '}') {
        i++;
        if (inExpression && depth === 0) return;
        depth--;
      } else i++;
    }
  };
  code(false);
  const constants = new Map<string, string>();
  for (const m of source.matchAll(/const ([A-Z_]+) = `/g)) {
    const t = raw.find((r) => source.indexOf(`const ${m[1]} = \`${r.parts[0]}`) >= 0);
    if (t && t.exprs.length === 0) constants.set(m[1], t.parts[0]);
  }
  return raw.map((t) => t.parts.reduce((sql, part, k) => sql + part + (k < t.exprs.length ? (constants.get(t.exprs[k]) ?? '$expr') : ''), ''));
}
