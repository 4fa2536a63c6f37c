import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Prisma's own DMMF (the data model every Prisma generator receives) for a schema.
 *
 * Prisma 7's generated client no longer carries the full DMMF (there is no `Prisma.dmmf`, and its
 * runtime data model keeps only names and scalar types: no nullability, native types, indexes or
 * relations). The `prisma` package ships the engine that computes it, `prisma_schema_build_bg.wasm`
 * (what `prisma generate` runs); this loads that module and calls its `get_dmmf`, so the test
 * reads what Prisma itself makes of the schema instead of parsing it again.
 */
export interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: Array<{ name: string; dbName?: string | null; values: Array<{ name: string; dbName?: string | null }> }>;
    indexes: DmmfIndex[];
  };
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: { name: string; args: unknown[] } | string | number | boolean | unknown[];
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}

export interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string | null;
  fields: Array<{ name: string; sortOrder?: 'asc' | 'desc' }>;
}

const WASM = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'prisma_schema_build_bg.wasm');

// The few WebAssembly APIs used here (this project's TypeScript libs do not declare them).
interface WebAssemblyApi {
  Module: { new (bytes: Uint8Array): object; imports(module: object): Array<{ module: string; name: string }> };
  Instance: new (module: object, imports: Record<string, Record<string, (...args: number[]) => unknown>>) => { exports: unknown };
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

interface SchemaWasm {
  memory: { buffer: ArrayBuffer };
  __wbindgen_externrefs: { get(index: number): unknown; set(index: number, value: unknown): void; grow(by: number): number };
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(pointer: number, size: number, align: number): void;
  __externref_table_dealloc(index: number): void;
  __wbindgen_start(): void;
  get_dmmf(pointer: number, length: number): [number, number, number, number];
}

let instance: SchemaWasm | undefined;
let panicMessage: string | undefined;

/** The wasm-bindgen glue `get_dmmf` needs: strings in and out, errors as externrefs. */
function schemaWasm(): SchemaWasm {
  if (instance) return instance;
  const module = new WebAssembly.Module(readFileSync(WASM));
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const text = (pointer: number, length: number) => decoder.decode(new Uint8Array(instance!.memory.buffer, pointer >>> 0, length));
  const imports: Record<string, Record<string, (...args: number[]) => unknown>> = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    let implementation: (...args: number[]) => unknown;
    if (name.startsWith('__wbg_Error_')) implementation = (pointer, length) => new Error(text(pointer, length));
    else if (name.includes('__wbindgen_throw')) implementation = (pointer, length) => {
      throw new Error(text(pointer, length));
    };
    else if (name.startsWith('__wbg_set_message_')) implementation = (pointer, length) => void (panicMessage = text(pointer, length));
    else if (name === '__wbindgen_init_externref_table') implementation = () => {
      const table = instance!.__wbindgen_externrefs;
      const offset = table.grow(4);
      table.set(0, undefined);
      table.set(offset, undefined);
      table.set(offset + 1, null);
      table.set(offset + 2, true);
      table.set(offset + 3, false);
    };
    else throw new Error(`${WASM} needs an import this loader does not know (${name}); the prisma package changed.`);
    (imports[from] ??= {})[name] = implementation;
  }
  instance = new WebAssembly.Instance(module, imports).exports as SchemaWasm;
  instance.__wbindgen_start();
  return instance;
}

export function getDmmf(schema: string): Dmmf {
  const wasm = schemaWasm();
  const input = Buffer.from(JSON.stringify({ prismaSchema: [['schema.prisma', schema]], noColor: true }), 'utf8');
  const pointer = wasm.__wbindgen_malloc(input.length, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer, pointer, input.length).set(input);
  let result: [number, number, number, number];
  try {
    result = wasm.get_dmmf(pointer, input.length);
  } catch (error) {
    throw new Error(`Prisma's schema engine panicked: ${panicMessage ?? (error as Error).message}`);
  }
  const [outPointer, outLength, errorIndex, failed] = result;
  if (failed) {
    const error = wasm.__wbindgen_externrefs.get(errorIndex) as Error;
    wasm.__externref_table_dealloc(errorIndex);
    throw error;
  }
  try {
    return JSON.parse(new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, outPointer >>> 0, outLength))) as Dmmf;
  } finally {
    wasm.__wbindgen_free(outPointer, outLength, 1);
  }
}
