// End-to-end tests in a VS Code that @vscode/test-cli downloads (needs a network): the same tests
// as test/e2e/run.mjs runs offline in CI, registered with mocha (out/test/e2e/suite/mocha.test.js).
// Without the Chromium runner, the steps a person does in the UI (palette, Problems panel,
// dashboard) go through the VS Code API instead.
//
//   npm run build && npx vscode-test
import { defineConfig } from '@vscode/test-cli';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createE2eWorkspace } = require('./out/test/e2e/fixture.js');
const workspace = await createE2eWorkspace();

export default defineConfig({
  label: 'e2e',
  files: 'out/test/e2e/suite/mocha.test.js',
  workspaceFolder: workspace.dir,
  launchArgs: ['--disable-workspace-trust', '--disable-extensions'],
  mocha: { ui: 'bdd', timeout: 300_000 },
});
