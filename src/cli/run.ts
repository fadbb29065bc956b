/** Entry point: `node dist/cli/run.js up …` (bin/pocketstack.mjs), or through tsx in tests. */
import { main } from './pocketstack.js';

await main(process.argv.slice(2));
