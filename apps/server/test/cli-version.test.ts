import path from 'node:path';
import { describe, expect, it } from 'vitest';
import cliPackage from '../../cli/package.json' with { type: 'json' };
import { runCli, tempDir } from './cli-helpers.js';

describe('toktra --version and agent status exit codes', () => {
  it('answers --version on the program and on every command, from package.json', async () => {
    for (const args of [
      ['--version'],
      ['server', '--version'],
      ['admin', 'org', 'list', '--version'],
      ['agent', 'status', '--version'],
    ]) {
      const r = await runCli(args);
      expect({ args, code: r.code, out: r.stdout }).toEqual({
        args,
        code: 0,
        out: `${cliPackage.version}\n`,
      });
    }
  });

  it('fails `agent status` while the device is not enrolled (and not running), for scripts and MDM checks', async () => {
    const r = await runCli(['agent', 'status', '--json', '--state-dir', path.join(tempDir(), 'agent')]);
    expect(JSON.parse(r.stdout)).toMatchObject({ enrolled: false, running: false });
    expect(r.code).toBe(1);
  });
});
