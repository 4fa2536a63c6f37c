import { Writable } from 'node:stream';
import pino from 'pino';
import { stopOnSignals } from '../../src/operations/shutdown';

/** Whatever hangs (here: the database close, as an embedded database's may), SIGTERM still ends the process. */
describe('the shutdown deadline', () => {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  afterEach(() => {
    for (const signal of signals) {
      for (const listener of process.listeners(signal)) if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  });

  it('exits 1 after the grace period, naming the step that hangs', async () => {
    // given a server whose database close never finishes
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    const exits: number[] = [];
    const exited = new Promise<void>((resolve) => {
      stopOnSignals(
        { logger, stop: () => new Promise<void>(() => undefined), openWork: () => ({ openRequests: 0, waitingFor: ['database close'] }) },
        300,
        ((code: number) => {
          exits.push(code);
          resolve();
        }) as (code: number) => never,
      );
    });

    // when SIGTERM arrives
    const sent = Date.now();
    process.emit('SIGTERM');
    await exited;

    // then it exits 1 after the grace period, saying what was open
    expect(exits).toEqual([1]);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(290);
    expect(lines.at(-1)).toMatchObject({ level: 50, graceMs: 300, openRequests: 0, waitingFor: ['database close'] });
    expect(lines.at(-1)!.msg).toMatch(/still open: database close; exiting$/);
  });
});
