import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { isHostToWebviewMessage, isWebviewToHostMessage } from '../../../webview/protocol';

describe('dashboard protocol guards', () => {
  it('accepts the host’s messages and nothing else', () => {
    assert.ok(isHostToWebviewMessage({ type: 'reset', runs: [] }));
    assert.ok(isHostToWebviewMessage({ type: 'events', runId: 'r', events: [] }));
    assert.ok(isHostToWebviewMessage({ type: 'profile', layers: [] }));
    assert.ok(isHostToWebviewMessage({ type: 'comparison', rows: [] }));
    assert.ok(isHostToWebviewMessage({ type: 'theme' }));
    assert.ok(!isHostToWebviewMessage({ type: 'events', events: [] }), 'events without runId');
    assert.ok(!isHostToWebviewMessage({ type: 'reset' }));
    assert.ok(!isHostToWebviewMessage({ type: 'ready' }), 'a webview message');
    assert.ok(!isHostToWebviewMessage('reset'));
    assert.ok(!isHostToWebviewMessage(null));
    // Other extensions' and devtools' window messages are ignored.
    assert.ok(!isHostToWebviewMessage({ source: 'react-devtools', payload: {} }));
  });

  it('accepts the webview’s messages', () => {
    assert.ok(isWebviewToHostMessage({ type: 'ready' }));
    assert.ok(isWebviewToHostMessage({ type: 'cancel', runId: 'r' }));
    assert.ok(isWebviewToHostMessage({ type: 'openRun', runId: 'r' }));
    assert.ok(!isWebviewToHostMessage({ type: 'cancel' }));
    assert.ok(!isWebviewToHostMessage({ type: 'reset', runs: [] }));
  });
});
