// Entry point of the bundled CLI (dist/cli.js, run by bin/octet.js).
import { buildProgram, fail } from './program';

buildProgram().parseAsync(process.argv).catch(fail);
