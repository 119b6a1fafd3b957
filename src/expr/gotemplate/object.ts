// Go values other than the JSON shapes: a struct or a pointer to one that a sprig function
// returns (semver's *Version, the crypto functions' certificate). Templates read their
// exported fields and call their methods; fmt, encoding/json and reflect see them as Go does.

import type { GoFunc } from "./funcs.js";

export abstract class GoObject {
  /** fmt's %T: "*semver.Version", "sprig.certificate". */
  abstract readonly goType: string;
  /** reflect.Kind: "ptr" or "struct". */
  abstract readonly goKind: "ptr" | "struct";

  /** An exported field, or undefined when the type has no such field. */
  field(_name: string): { value: unknown } | undefined {
    return undefined;
  }

  /** A method in the value's method set, or undefined. */
  method(_name: string): GoFunc | undefined {
    return undefined;
  }

  /** fmt's %v (a String method when the type has one). */
  abstract format(): string;

  /** Whether %s/%q/%x use String(), i.e. the type implements fmt.Stringer. */
  get isStringer(): boolean {
    return false;
  }

  /** What encoding/json writes for it, as a value of our model. */
  abstract jsonValue(): unknown;

  /** A key such that reflect.DeepEqual holds exactly when the keys (and types) are equal. */
  abstract identity(): string;
}

/** A parameter kind for a Go object type, as used in GoFunc.params. */
export type ObjectKind = `obj:${string}`;

export function objectKind(goType: string): ObjectKind {
  return `obj:${goType}`;
}
