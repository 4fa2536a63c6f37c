import { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/**
 * The names of the fields an operation selects at `path` below the current field (for
 * `clients`: ['edges', 'node'] gives the fields of each client), through fragments and inline
 * fragments and whatever the aliases. Used only to load ahead: a name in the answer is never taken
 * as granted, so @skip/@include are not evaluated (a skipped field is at worst loaded for nothing).
 */
export function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let level: FieldNode[] = [...info.fieldNodes];
  for (const name of path) {
    const next: FieldNode[] = [];
    for (const field of level) for (const child of fieldsOf(field.selectionSet, info.fragments)) if (child.name.value === name) next.push(child);
    level = next;
  }
  const names = new Set<string>();
  for (const field of level) for (const child of fieldsOf(field.selectionSet, info.fragments)) names.add(child.name.value);
  return names;
}

function fieldsOf(selectionSet: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...fieldsOf(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      // Validation refuses fragment cycles; `seen` keeps a repeated spread from being walked twice.
      seen.add(selection.name.value);
      fields.push(...fieldsOf(fragments[selection.name.value]?.selectionSet, fragments, seen));
    }
  }
  return fields;
}
