import { type FakeServer, startFakeServer } from './fake-server.js';

/**
 * A loopback Jira Cloud site: `POST /rest/api/3/issue` (basic auth email:token) checks that the
 * description is an ADF document and answers 201 `{id, key, self}`, or 400 `{errorMessages, errors}`.
 * `GET /rest/api/3/myself` serves the Test button.
 */
export async function startJiraFake(
  auth: { email: string; apiToken: string },
  projectKey = 'GOV',
): Promise<FakeServer> {
  const expected = `Basic ${Buffer.from(`${auth.email}:${auth.apiToken}`).toString('base64')}`;
  let n = 10_000;
  let issue = 0;
  return startFakeServer((req, base) => {
    if (req.headers.authorization !== expected)
      return { status: 401, body: { errorMessages: ['Unauthorized'], errors: {} } };
    if (req.path === '/rest/api/3/myself' && req.method === 'GET')
      return { status: 200, body: { accountId: 'acc-1', emailAddress: auth.email } };
    if (req.path === '/rest/api/3/issue' && req.method === 'POST') {
      const { fields } = JSON.parse(req.body || '{}') as {
        fields?: {
          summary?: string;
          project?: { key?: string };
          description?: { type?: string; version?: number };
        };
      };
      const errors: Record<string, string> = {};
      if (!fields?.summary) errors.summary = 'You must specify a summary of the issue.';
      if (fields?.project?.key !== projectKey) errors.project = 'Specify a valid project ID or key';
      if (fields?.description && (fields.description.type !== 'doc' || fields.description.version !== 1)) {
        errors.description = 'Operation value must be an Atlassian Document.';
      }
      if (Object.keys(errors).length > 0) return { status: 400, body: { errorMessages: [], errors } };
      const id = String(++n);
      const key = `${projectKey}-${++issue}`;
      return { status: 201, body: { id, key, self: `${base}/rest/api/3/issue/${id}` } };
    }
    return { status: 404, body: { errorMessages: ['Not found'], errors: {} } };
  });
}
