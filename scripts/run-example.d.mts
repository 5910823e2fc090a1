/** Why the build of the project at `configFile` (a tsconfig.build.json) or of a project it references is not current; null when it is. */
export function staleReason(configFile: string): string | null;
/** Where `pnpm build` puts an example's entry: examples/NAME/dist/NAME.js for examples/NAME/NAME.ts. */
export function builtEntry(entry: string): string;
