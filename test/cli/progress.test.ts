import test from 'ava';
import { createProgress, formatAmount, formatDuration, renderProgress } from '@ebmkit/cli';
import { Capture } from './helpers.ts';

test('renders bar, percentage, counts, rate and ETA', (t) => {
  // 30 of 100 epochs in 10 s: 3 epochs/s, 70 left → ETA 0:23.
  const line = renderProgress('train', 30, 100, 'epochs', 10_000, 100);
  t.regex(line, /^train \[#+-+\]  30%  30\/100 epochs  3\.00 epochs\/s  ETA 0:23$/);
  t.regex(renderProgress('dl', 1536, 3072, 'bytes', 1000), /50%  1\.5 kB\/3\.0 kB  1\.5 kB\/s  ETA 0:01$/);
  t.regex(renderProgress('dl', 5, undefined, 'files', 2000), /^dl 5 files  2\.50 files\/s  0:02$/);
  t.is(formatAmount(3 * 1024 * 1024, 'bytes'), '3.0 MB');
  t.is(formatDuration(3725), '1:02:05');
});

test('draws on a TTY at most once per interval, erases when done', (t) => {
  const out = new Capture(true);
  let now = 0;
  const bar = createProgress({ label: 'it', total: 10, unit: 'iterations', stream: out, enabled: true, now: () => now, intervalMs: 100 });
  bar.tick(); // t=0: draws
  now = 50;
  bar.tick(); // throttled
  now = 150;
  bar.tick(); // draws
  const draws = out.text.split('\r').filter((s) => s.startsWith('it [')).length;
  t.is(draws, 2);
  bar.update(10); // completion always draws
  t.regex(out.text, /100%\s+10\/10 iterations/);
  bar.done();
  t.true(out.text.endsWith('\r\x1b[K'));
});

test('disabled bars write nothing', (t) => {
  const out = new Capture(false);
  const bar = createProgress({ label: 'x', total: 3, stream: out, enabled: false });
  bar.tick();
  bar.update(3);
  bar.done();
  t.is(out.text, '');
  t.false(bar.enabled);
});
