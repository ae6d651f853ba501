#!/usr/bin/env node
// The `octet-server` command: the language server over stdio (`octet-server --stdio`) for any LSP editor.
require('../dist/server.js');
