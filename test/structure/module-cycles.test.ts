/**
 * Imports point one way (../shared/style.md): resolvers -> services -> unit of work -> pure rules
 * -> shared. The rules this test holds the code to:
 *
 * (a) No import cycle between two files of src/. The generated Prisma client (src/generated) is
 *     left out: its cycles are Prisma's.
 * (b) No cycle between modules. Each folder of src/modules is a module; src/shared, src/db,
 *     src/auth, src/http and src/graphql are layers. A module's GraphQL files (*.resolver.ts,
 *     *.types.ts, *.inputs.ts, *.results.ts, *.errors.ts) belong to the GraphQL layer: the schema lists every
 *     resolver and every resolver uses the GraphQL kit (access, scalars, enums), so the schema
 *     is one layer on top of the modules' domain code, as Saleor keeps saleor/graphql/ apart from
 *     saleor/account/. The files directly in src/ (main, app, services, config, ...) are the
 *     composition root that wires the layers; they are left out of (b), not out of (a).
 * (c) src/shared imports nothing from src/modules.
 *
 * `import type` counts everywhere: a cycle of types is still a cycle a reader has to untangle.
 */
import path from 'node:path';

interface MadgeResult {
  obj(): Record<string, string[]>;
  circular(): string[][];
}
// madge ships no type declarations; this is the part of its API the test uses.
const madge: (source: string, config: object) => Promise<MadgeResult> = require('madge');

const ROOT = path.join(__dirname, '..', '..');
const GRAPHQL_FILE = /\.(resolver|types|inputs|results|errors)\.ts$/;

/** The module or layer a file of src/ belongs to, or null for the composition root. */
function moduleOf(file: string): string | null {
  const parts = file.split('/');
  if (parts.length === 1) return null;
  if (GRAPHQL_FILE.test(file)) return 'graphql';
  return parts[0] === 'modules' ? `modules/${parts[1]}` : parts[0];
}

type ModuleGraph = Map<string, Map<string, string[]>>;

/** Collapses the file graph to modules; each edge keeps the file imports behind it. */
function moduleGraph(files: Record<string, string[]>): ModuleGraph {
  const graph: ModuleGraph = new Map();
  for (const [file, imports] of Object.entries(files)) {
    const from = moduleOf(file);
    if (from === null) continue;
    for (const imported of imports) {
      const to = moduleOf(imported);
      if (to === null || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${file} -> ${imported}`]);
    }
  }
  return graph;
}

/** Groups of modules that reach each other (Tarjan's strongly connected components, size > 1). */
function cyclicGroups(graph: ModuleGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return groups;
}

/** The shortest way back from `from` to `to` inside `group`, as the list of modules on it. */
function shortestPath(graph: ModuleGraph, group: string[], from: string, to: string): string[] {
  const cameFrom = new Map<string, string>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === to) break;
    for (const next of graph.get(node)?.keys() ?? []) {
      if (group.includes(next) && !cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  const path = [to];
  while (path[0] !== from) path.unshift(cameFrom.get(path[0])!);
  return path;
}

/**
 * The cycles through each module edge of a group, each drawn once as
 * "a -> b -> a", with the file imports behind every step.
 */
function describeCycles(graph: ModuleGraph, group: string[]): string[] {
  const cycles = new Map<string, string[]>();
  for (const from of group) {
    for (const to of graph.get(from)?.keys() ?? []) {
      if (!group.includes(to)) continue;
      const cycle = [from, ...shortestPath(graph, group, to, from).slice(0, -1)];
      const start = cycle.indexOf([...cycle].sort()[0]);
      const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
      cycles.set(rotated.join(' -> '), rotated);
    }
  }
  return [...cycles.values()].map((cycle) => {
    const steps = cycle.map((from, i) => {
      const to = cycle[(i + 1) % cycle.length];
      return `    ${from} -> ${to}: ${graph.get(from)!.get(to)!.join(', ')}`;
    });
    return [[...cycle, cycle[0]].join(' -> '), ...steps].join('\n');
  });
}

describe('import structure of src/', () => {
  let files: Record<string, string[]>;
  let fileCycles: string[][];
  beforeAll(async () => {
    const result = await madge(path.join(ROOT, 'src'), {
      fileExtensions: ['ts'],
      tsConfig: path.join(ROOT, 'tsconfig.json'),
      excludeRegExp: [/^generated\//],
    });
    files = result.obj();
    fileCycles = result.circular();
    // madge parses every file of src/ with TypeScript: seconds alone, much longer on a busy machine.
  }, 180_000);

  it('reads the whole of src/ (a broken madge setup would pass every check below)', () => {
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['app.ts', 'modules/clients/client-changes.ts', 'shared/result.ts']));
    expect(Object.keys(files).filter((file) => file.startsWith('generated/'))).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(fileCycles.map((cycle) => [...cycle, cycle[0]].join(' -> '))).toEqual([]);
  });

  it('has no import cycle between modules and layers', () => {
    const graph = moduleGraph(files);
    expect(cyclicGroups(graph).flatMap((group) => describeCycles(graph, group))).toEqual([]);
  });

  it('keeps src/shared free of imports from src/modules', () => {
    const intoModules = Object.entries(files).flatMap(([file, imports]) =>
      file.startsWith('shared/') ? imports.filter((imported) => imported.startsWith('modules/')).map((imported) => `${file} -> ${imported}`) : [],
    );
    expect(intoModules).toEqual([]);
  });
});
