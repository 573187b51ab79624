/**
 * Prisma's own schema engine (the one behind `prisma migrate`), loaded from its
 * WebAssembly build so that tests can use it as the judge of what Prisma would do:
 * the native engine the Prisma CLI downloads is not reachable from our machines.
 * See ../shared/prisma-engine.md for the facts this relies on.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine, MigrationList } from '@prisma/schema-engine-wasm';
import { loadMigrations, MIGRATIONS_DIR } from '../../src/db/migrations/migration-files.js';
import { quoteIdent } from '../../src/db/sql.js';

export type { SchemaEngine };

const require = createRequire(import.meta.url);
let loaded: Promise<void> | undefined;

/** Node 20 cannot import a .wasm module, so instantiate it by hand (once per process). */
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const bytes = await readFile(wasmPath);
    // @types/node does not declare the WebAssembly global; its shape here is all we use.
    const wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: object } }> } }).WebAssembly;
    const { instance } = await wasm.instantiate(bytes, { './schema_engine_bg.js': glue });
    (glue as unknown as { __wbg_set_wasm(e: unknown): void }).__wbg_set_wasm(instance.exports);
    (instance.exports as unknown as { __wbindgen_start(): void }).__wbindgen_start();
  })();
  return loaded;
}

/**
 * adapter-pg 7.10 cannot map PostgreSQL's internal "char" type (oid 18), which the
 * engine's catalog queries return; present it as text (oid 25), which it is.
 */
type Queryable = { performIO(q: unknown): Promise<{ fields: { dataTypeID: number }[] }> };
const patched = new WeakSet<object>();
function patchAdapter<T extends object>(adapter: T): T {
  let proto = Object.getPrototypeOf(adapter) as object | null;
  while (proto && !Object.hasOwn(proto, 'performIO')) proto = Object.getPrototypeOf(proto) as object | null;
  if (proto && !patched.has(proto)) {
    patched.add(proto);
    const q = proto as Queryable;
    const original = q.performIO;
    q.performIO = async function (this: unknown, query: unknown) {
      const result = await original.call(this, query);
      for (const field of result.fields) if (field.dataTypeID === 18) field.dataTypeID = 25;
      return result;
    };
  }
  return adapter;
}

/** An adapter factory whose shadow database is really separate, and dropped afterwards. */
class EngineAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = '@prisma/adapter-pg';
  constructor(private readonly url: string) {}

  async connect() {
    return patchAdapter(await new PrismaPg({ connectionString: this.url }).connect());
  }

  async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
    const admin = new pg.Client({ connectionString: this.url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } finally {
      await admin.end();
    }
    const shadowUrl = new URL(this.url);
    shadowUrl.pathname = `/${name}`;
    const adapter = patchAdapter(await new PrismaPg({ connectionString: shadowUrl.toString() }).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      const drop = new pg.Client({ connectionString: this.url });
      await drop.connect();
      try {
        await drop.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    };
    return adapter;
  }
}

export const DATASOURCE = 'datasource db {\n  provider = "postgresql"\n}\n';

/** Starts Prisma's schema engine against `databaseUrl`. Call `engine.free()` when done. */
export async function startSchemaEngine(databaseUrl: string, datamodel = DATASOURCE): Promise<SchemaEngine> {
  await loadWasm();
  const { SchemaEngine: Engine } = glue as unknown as { SchemaEngine: typeof SchemaEngine };
  const factory = bindMigrationAwareSqlAdapterFactory(new EngineAdapterFactory(databaseUrl) as never);
  return Engine.new({ datamodels: [['schema.prisma', datamodel]] }, () => {}, factory);
}

/** The project's migrations in the shape the engine takes (it reads nothing from disk). */
export async function engineMigrationList(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const migrations = await loadMigrations(dir);
  const lock = await readFile(`${dir}/migration_lock.toml`, 'utf8');
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lock },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map((m) => ({
      path: m.name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
    })),
  } as MigrationList;
}

export const NO_FILTERS = { externalTables: [], externalEnums: [] };
