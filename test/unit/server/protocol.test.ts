// The custom protocol module: every message has a distinct `octet/` method, and each typed
// message object carries the same method as its namespace (the server sends by method string).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as protocol from '../../../server/protocol';

const MESSAGES = {
  StartJob: protocol.StartJob,
  CancelJob: protocol.CancelJob,
  ListJobs: protocol.ListJobs,
  JobEvent: protocol.JobEvent,
  JobState: protocol.JobState,
  ProfileResult: protocol.ProfileResult,
};

describe('protocol', () => {
  it('names each message octet/<name> with matching type objects', () => {
    for (const [name, message] of Object.entries(MESSAGES)) {
      const expected = `octet/${name[0].toLowerCase()}${name.slice(1)}`;
      assert.equal(message.method, expected);
      assert.equal(message.type.method, expected);
    }
  });

  it('has no method twice', () => {
    const methods = Object.values(MESSAGES).map((m) => m.method);
    assert.equal(new Set(methods).size, methods.length);
  });

  it('lists the run commands the code lenses use', () => {
    assert.deepEqual(Object.values(protocol.OctetCommands), ['octet.fineTune', 'octet.profile', 'octet.compare']);
  });
});
