import { type FakeServer, startFakeServer } from './fake-server.js';

/**
 * A loopback ServiceNow instance: `POST /api/now/table/incident` (basic auth) answers 201 with a
 * `Location` and `{result:{sys_id, number}}`; `GET /api/now/table/incident` serves the Test button.
 */
export async function startServiceNowFake(auth: { username: string; password: string }): Promise<FakeServer> {
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  let n = 10_000;
  return startFakeServer((req, base) => {
    if (req.headers.authorization !== expected) {
      return {
        status: 401,
        body: {
          error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
          status: 'failure',
        },
      };
    }
    if (req.path === '/api/now/table/incident' && req.method === 'GET')
      return { status: 200, body: { result: [] } };
    if (req.path === '/api/now/table/incident' && req.method === 'POST') {
      const body = JSON.parse(req.body || '{}') as { short_description?: string };
      if (!body.short_description)
        return { status: 400, body: { error: { message: 'short_description is required' } } };
      const sysId = `a${(++n).toString(16).padStart(31, '0')}`;
      return {
        status: 201,
        headers: { location: `${base}/api/now/table/incident/${sysId}` },
        body: { result: { sys_id: sysId, number: `INC00${n}` } },
      };
    }
    return { status: 404, body: { error: { message: 'No such route' } } };
  });
}
