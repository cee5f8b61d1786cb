import { EventStreamParser } from './sse';

describe('EventStreamParser', () => {
  it('splits named events across chunks and line endings, skipping comments', () => {
    const parser = new EventStreamParser();
    expect(parser.feed('event: progress\ndata: {"percent"')).toEqual([]);
    expect(parser.feed(':50}\n\n: a comment\r\nevent:result\r\ndata:{"a":1}\r\ndata: {"b":2}\r\n\r\n')).toEqual([
      { event: 'progress', data: '{"percent":50}' },
      { event: 'result', data: '{"a":1}\n{"b":2}' },
    ]);
  });

  it('names an event without a name "message" and drops one without data', () => {
    const parser = new EventStreamParser();
    expect(parser.feed('event: ping\n\ndata: x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });
});
