/**
 * The one rule for the names of a component's children: the parent's name, then what the child
 * is, joined by "-" (`egress-gateway`, `egress-destinations-cnn`). A child's name is its identity
 * in the state: changing what this returns for an existing child needs an `aliases` entry.
 */
export function childName(parent: string, ...parts: string[]): string {
    return [parent, ...parts].join("-");
}
