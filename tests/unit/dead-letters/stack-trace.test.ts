import { describe, expect, it } from 'vitest';
import { foldedText, foldStackTrace } from '@/lib/dead-letters/stack-trace';
import { connectFacts, loadFixture, springFacts, type TopicRecord } from '@/tests/support/dead-letters';

describe('foldStackTrace', () => {
  it('keeps exception lines, the throwing frame and application frames of a genuine Spring trace', () => {
    const trace = springFacts(loadFixture('spring-kafka').deadLetters[0] as TopicRecord).stacktrace;
    expect(foldedText(foldStackTrace(trace))).toBe(
      [
        "org.springframework.kafka.listener.ListenerExecutionFailedException: Listener method 'onOrder' threw exception",
        '\tat DeadLetters.main(DeadLetters.java:51)',
        '\t… 7 more',
        'Caused by: java.lang.IllegalStateException: Order total is not a number',
        '\tat DeadLetters.onOrder(DeadLetters.java:68)',
        '\tat DeadLetters.main(DeadLetters.java:48)',
        '\t… 7 more',
        'Caused by: java.lang.NumberFormatException: For input string: "12,50"',
        '\tat java.base/java.lang.NumberFormatException.forInputString(NumberFormatException.java:67)',
        '\t… 2 more',
        '\tat DeadLetters.onOrder(DeadLetters.java:66)',
        '\t… 8 more',
      ].join('\n'),
    );
  });

  it('folds a genuine Connect trace, whose every frame is framework, to the throwing frames', () => {
    const trace = connectFacts(loadFixture('kafka-connect').deadLetters[0] as TopicRecord).stacktrace;
    const folded = foldStackTrace(trace);
    const frames = folded.filter((l) => l.kind === 'frame');
    const counted = folded.reduce(
      (n, l) => n + (l.kind === 'folded' ? l.count : l.kind === 'frame' ? 1 : 0),
      0,
    );
    // One throwing frame per exception; everything else folded, and nothing lost from the count.
    expect(frames).toHaveLength(3);
    expect(frames[0]?.text).toBe(
      'at org.apache.kafka.connect.json.JsonConverter.toConnectData(JsonConverter.java:348)',
    );
    // 19 frames; 2 and "... 18 more"; 8 and "... 19 more".
    expect(counted).toBe(19 + 2 + 18 + 8 + 19);
    // Jackson's " at [Source: …]" continues the message: it is not a frame.
    expect(folded.filter((l) => l.kind === 'exception').map((l) => l.kind === 'exception' && l.text)).toEqual(
      [
        expect.stringMatching(/^org\.apache\.kafka\.connect\.errors\.DataException: /),
        expect.stringMatching(/^Caused by: org\.apache\.kafka\.common\.errors\.SerializationException: /),
        expect.stringMatching(/^at \[Source: REDACTED/),
        expect.stringMatching(/^Caused by: com\.fasterxml\.jackson\.core\.JsonParseException: /),
        expect.stringMatching(/^at \[Source: REDACTED/),
      ],
    );
  });

  it('reads .NET traces and takes the application prefixes the caller gives', () => {
    const trace = [
      'System.InvalidOperationException: Order has no lines',
      '   at Shop.Orders.Validate(Order order) in /src/Orders.cs:line 42',
      '   at MassTransit.Middleware.ConsumerMessageFilter`2.Send(ConsumeContext`1 context)',
      '   at MassTransit.Middleware.RetryFilter`1.Send(ConsumeContext`1 context)',
      ' ---> System.FormatException: bad number',
      '   at System.Number.ThrowFormatException()',
      '   at Shop.Money.Parse(String text) in /src/Money.cs:line 9',
      '   --- End of inner exception stack trace ---',
    ].join('\r\n');
    expect(foldStackTrace(trace)).toEqual([
      { kind: 'exception', text: 'System.InvalidOperationException: Order has no lines' },
      { kind: 'frame', text: 'at Shop.Orders.Validate(Order order) in /src/Orders.cs:line 42' },
      { kind: 'folded', count: 2 },
      { kind: 'exception', text: '---> System.FormatException: bad number' },
      { kind: 'frame', text: 'at System.Number.ThrowFormatException()' },
      { kind: 'frame', text: 'at Shop.Money.Parse(String text) in /src/Money.cs:line 9' },
      { kind: 'exception', text: '--- End of inner exception stack trace ---' },
    ]);
    const only = foldStackTrace(trace, { appPrefixes: ['Shop.Money.'] });
    expect(only.filter((l) => l.kind === 'frame').map((l) => l.kind === 'frame' && l.text)).toEqual([
      'at Shop.Orders.Validate(Order order) in /src/Orders.cs:line 42',
      'at System.Number.ThrowFormatException()',
      'at Shop.Money.Parse(String text) in /src/Money.cs:line 9',
    ]);
  });

  it('stays bounded on a pathological trace', () => {
    const trace = `java.lang.StackOverflowError\n${'\tat java.util.HashMap.hash(HashMap.java:1)\n'.repeat(50_000)}`;
    const folded = foldStackTrace(trace, { maxLines: 1000 });
    expect(folded).toEqual([
      { kind: 'exception', text: 'java.lang.StackOverflowError' },
      { kind: 'frame', text: 'at java.util.HashMap.hash(HashMap.java:1)' },
      { kind: 'folded', count: 998 },
    ]);
  });
});
