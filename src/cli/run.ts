/** Entry point: the bundle that bin/pocketstack.mjs runs, or src/cli/run.ts through tsx in tests. */
import { main } from './pocketstack.js';

// Not a top-level await: the bundle is a classic script (scripts/bundle.mjs). main() reports its own errors.
void main(process.argv.slice(2));
