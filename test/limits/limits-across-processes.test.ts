import { print } from 'graphql';
import { AddIdentifierDocument, CreateClientDocument, RequestContactVerificationDocument } from '../generated/graphql';
import { randomSsn } from '../support/fixtures';
import { ownContact } from '../support/limits-helpers';
import { ServerProcess, serversOnOneDatabase } from '../support/server-process';
import { onPostgres } from '../support/test-database';

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

/** `count()` once it reaches `expected` (printed lines may arrive a moment after the answer), or after 10 s. */
async function settledCount(count: () => number, expected: number): Promise<number> {
  for (const deadline = Date.now() + 10_000; count() < expected && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
  return count();
}

// Two `node dist/main.js` processes on one PostgreSQL database, with the default limits: the counts
// live in the database, so asking the other process does not start a count of its own.
(onPostgres ? describe : describe.skip)('attempt limits shared by two server processes on one database (PostgreSQL only)', () => {
  const cluster = serversOnOneDatabase(2);

  async function createClientVia(server: ServerProcess, contact = ownContact()): Promise<string> {
    const created = await server.run(CreateClientDocument, { input: { firstName: 'Grace', lastName: 'Hopper', ...contact } });
    if (created.createClient.__typename !== 'ClientPayload') throw new Error(JSON.stringify(created.createClient));
    return created.createClient.client.id;
  }
  const requestVia = async (server: ServerProcess, clientId: string) =>
    (await server.run(RequestContactVerificationDocument, { input: { clientId, channel: 'EMAIL' } })).requestContactVerification.__typename;

  it('sends 5 codes to a client asking each process in turn, then both refuse', async () => {
    // given a client
    const [a, b] = cluster.servers;
    const clientId = await createClientVia(a);

    // when it asks A, B, A, B, A, and then each process once more, each time once the code asked for
    // before went out (a code replaced before it went out is not sent: a new request replaces it)
    const answers = [];
    const sent = () => a.codeCount(clientId, 'EMAIL') + b.codeCount(clientId, 'EMAIL');
    for (const server of [a, b, a, b, a, b, a]) {
      answers.push(await requestVia(server, clientId));
      await settledCount(sent, answers.filter((answer) => answer === 'ContactVerificationRequested').length);
    }

    // then the first five are sent, whichever process took them, and both processes refuse the rest
    expect(answers).toEqual([...Array(5).fill('ContactVerificationRequested'), 'RateLimitedError', 'RateLimitedError']);
    expect(await settledCount(sent, 5)).toBe(5);
  });

  it('sends 10 codes to one address when clients on both processes ask for it at once', async () => {
    // given 24 clients sharing one email address
    const [a, b] = cluster.servers;
    const { email } = ownContact();
    const clients = await Promise.all(times(24, (i) => createClientVia(i % 2 === 0 ? a : b, { ...ownContact(), email })));

    // when each asks for a code at the same moment, half of them through each process
    const answers = await Promise.all(clients.map((clientId, i) => requestVia(i % 2 === 0 ? a : b, clientId)));

    // then the address gets exactly 10 codes between the two processes
    expect(answers.filter((answer) => answer === 'ContactVerificationRequested')).toHaveLength(10);
    expect(answers.filter((answer) => answer === 'RateLimitedError')).toHaveLength(14);
    const printed = (server: ServerProcess) => server.lines.filter((line) => line.event === 'contact_verification_code' && line.to === email).length;
    expect(await settledCount(() => printed(a) + printed(b), 10)).toBe(10);
  });

  it('lets exactly 10 of 30 addIdentifier calls on one client through when both processes take them at once', async () => {
    // given a client
    const [a, b] = cluster.servers;
    const clientId = await createClientVia(a);

    // when 30 new SSNs are added at once, half through each process
    const responses = await Promise.all(
      times(30, (i) =>
        (i % 2 === 0 ? a : b).post<{ addIdentifier: { __typename: string } }>({
          query: print(AddIdentifierDocument),
          variables: { input: { clientId, type: 'SSN', value: randomSsn() } },
        }),
      ),
    );

    // then 10 are added and 20 refused
    for (const response of responses) expect(response.errors).toBeUndefined();
    const outcomes = responses.map((response) => response.data!.addIdentifier.__typename);
    expect(outcomes.filter((outcome) => outcome === 'AddIdentifierSuccess')).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome === 'RateLimitedError')).toHaveLength(20);
  });
});
