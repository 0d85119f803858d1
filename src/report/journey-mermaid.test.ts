// The journey as a Mermaid gantt chart for summary.md: a section per component, bars from the hop seen
// before, the stop in red, and names from a hostile configuration unable to change the chart's syntax.
// (test/journey-pictures.test.ts has Mermaid itself parse and draw these charts.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostile, stopped, wentThrough } from '../../test/support/journeys.ts';
import { journeyGantt, mermaidText } from './journey-mermaid.ts';

const header = [
  'gantt',
  '  accTitle: ',
  '  accDescr: ',
  '  title ',
  '  dateFormat x',
  '  axisFormat ',
  '  todayMarker off',
];
const taskLine = /^ {2}\d+\. ([^:\n]+) :((?:(?:crit|active|done|milestone), )*)h\d+, (\d+), (\d+)$/;

const tasksOf = (chart: string) =>
  chart.split('\n').flatMap((line) => {
    const match = taskLine.exec(line);
    return match
      ? [{ name: match[1]?.trim(), tags: match[2] ?? '', start: Number(match[3]), end: Number(match[4]) }]
      : [];
  });

const sectionsOf = (chart: string) =>
  chart.split('\n').flatMap((line) => (line.startsWith('  section ') ? [line.slice(10)] : []));

/** Every line is a header line, a section or a task: nothing a name could have added. */
function assertOnlyChartSyntax(chart: string): void {
  const lines = chart.split('\n');
  for (const [index, start] of header.entries())
    assert.ok(lines[index]?.startsWith(start), `line ${index}: ${lines[index]}`);
  for (const line of lines.slice(header.length))
    assert.ok(
      line.startsWith('  section ') || taskLine.test(line),
      `not a section or task: ${JSON.stringify(line)}`,
    );
}

describe('journeyGantt', () => {
  it('has a section per component in journey order, each hop a task in its section', () => {
    const chart = journeyGantt(wentThrough);
    assertOnlyChartSyntax(chart);
    assert.deepEqual(sectionsOf(chart), ['crm', 'rabbitmq', 'mes', 'pricing']);
    assert.deepEqual(
      tasksOf(chart).map((task) => task.name),
      [
        'CRM answered',
        'order.created +8 ms',
        'pricing requested +35 ms',
        'MES received +87 ms',
        'MES shows the price +40 ms',
        'pricing completed +850 ms',
      ],
    );
  });

  it('runs each bar from the hop seen before to its own moment', () => {
    const tasks = new Map(tasksOf(journeyGantt(wentThrough)).map((task) => [task.name, task]));
    assert.deepEqual(tasks.get('pricing completed +850 ms'), {
      name: 'pricing completed +850 ms',
      tags: '',
      start: 130,
      end: 980,
    });
    assert.equal(tasks.get('CRM answered')?.tags, 'milestone, ');
  });

  it('marks the stop in red where the order was last seen, unknown and unreached hops apart', () => {
    const chart = journeyGantt(stopped);
    assertOnlyChartSyntax(chart);
    const tasks = new Map(tasksOf(chart).map((task) => [task.name, task]));
    assert.deepEqual(tasks.get('STOPPED before pricing completed'), {
      name: 'STOPPED before pricing completed',
      tags: 'crit, milestone, ',
      start: 140,
      end: 140,
    });
    assert.equal(tasks.get('pricing requested (unknown)')?.tags, 'active, milestone, ');
    assert.equal(tasks.get('MES shows the price (not reached)')?.tags, 'done, milestone, ');
    assert.match(
      chart,
      /^ {2}title Order ord-stopped stopped before pricing completed \(pricing\), last seen MES received at \+140 ms$/m,
    );
  });

  it('keeps hostile names from changing the chart: no new lines, sections, comments or directives', () => {
    const chart = journeyGantt(hostile);
    assertOnlyChartSyntax(chart);
    assert.deepEqual(sectionsOf(chart), ['crm', 'rab bit mq b amp', 'mes']);
    // axisFormat's own % signs aside.
    const names = chart.replace(/^ {2}axisFormat .*$/m, '');
    for (const mark of [';', '#', '%', '"', '`', '<', '>', '&', '{', '[', '\u0001'])
      assert.ok(!names.includes(mark), `${JSON.stringify(mark)} in the chart`);
    assert.deepEqual(
      tasksOf(chart).map((task) => task.name),
      [
        'section evil',
        'title forged +30 ms',
        'STOPPED before price done 1 quoted init script alert(1) /script x end',
        'click h1 call alert() (not reached)',
      ],
    );
  });
});

describe('mermaidText', () => {
  it('keeps letters, digits and harmless marks, in any script', () => {
    assert.equal(mermaidText('Preis berechnet (ÄÖÜ) / 価格 + 1,5'), 'Preis berechnet (ÄÖÜ) / 価格 + 1,5');
  });

  it('turns syntax into spaces, and is never empty or too long', () => {
    assert.equal(mermaidText('a:b;c#d%%e"f\'g`h\ni'), 'a b c d e f g h i');
    assert.equal(mermaidText(':;#'), '?');
    assert.equal(mermaidText('x'.repeat(100)).length, 60);
  });
});
