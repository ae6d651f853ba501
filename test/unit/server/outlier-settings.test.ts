// The outlier settings as editors send them: VS Code's nested section, the dotted form, and the
// plain initializationOptions form; bad values keep the previous setting.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, readSettings } from '../../../server/settings';

test('reads profileOnSave and outlierCriteria.sqnrGapDb in every form editors send', () => {
  assert.equal(DEFAULT_SETTINGS.profileOnSave, true);
  assert.equal(DEFAULT_SETTINGS.outlierSqnrGapDb, undefined);
  const nested = readSettings({ octet: { profileOnSave: false, outlierCriteria: { sqnrGapDb: 9 } } });
  assert.equal(nested.profileOnSave, false);
  assert.equal(nested.outlierSqnrGapDb, 9);
  assert.equal(readSettings({ 'octet.outlierCriteria.sqnrGapDb': 3 }).outlierSqnrGapDb, 3);
  assert.equal(readSettings({ octet: { 'outlierCriteria.sqnrGapDb': 4 } }).outlierSqnrGapDb, 4);
  assert.equal(readSettings({ outlierCriteria: { sqnrGapDb: 0 } }).outlierSqnrGapDb, 0);
  const base = readSettings({ profileOnSave: false, outlierCriteria: { sqnrGapDb: 7 } });
  const bad = readSettings({ profileOnSave: 'yes', outlierCriteria: { sqnrGapDb: -1 } }, base);
  assert.equal(bad.profileOnSave, false);
  assert.equal(bad.outlierSqnrGapDb, 7);
});
