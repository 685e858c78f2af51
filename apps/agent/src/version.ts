import agentPackage from '../package.json' with { type: 'json' };

/** The agent's version, from its package.json (bundled into compiled builds). */
export const AGENT_VERSION: string = agentPackage.version;
