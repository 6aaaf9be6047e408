import test from 'ava';
import { VERSION } from '@ebmkit/core';

test('core exports a version string', (t) => {
  t.regex(VERSION, /^\d+\.\d+\.\d+$/);
});
