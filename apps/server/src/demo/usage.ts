import { newEventId } from '@toktra/core';
import type { Tx } from '@toktra/db';
import type { EventRow } from '../usage/store.js';
import { aggregateRollups, insertEvents, upsertRollups } from '../usage/store.js';
import type { DemoUser } from './people.js';
import type { Random } from './random.js';

interface Tool {
  provider: string;
  product: 'api' | 'chat-app' | 'coding-assistant';
  category: string;
  host: string;
  /** A gateway reports the model; agents (SNI) cannot see it. */
  source: 'agent' | 'api';
  models?: readonly string[];
  /** Typical tokens per request, input and output. */
  input: number;
  output: number;
}

const TOOLS: Record<string, Tool> = {
  claudeCode: {
    provider: 'anthropic',
    product: 'api',
    category: 'llm-api',
    host: 'api.anthropic.com',
    source: 'agent',
    input: 9000,
    output: 1400,
  },
  copilot: {
    provider: 'github-copilot',
    product: 'coding-assistant',
    category: 'coding',
    host: 'api.individual.githubcopilot.com',
    source: 'agent',
    input: 2200,
    output: 260,
  },
  chatgpt: {
    provider: 'openai',
    product: 'chat-app',
    category: 'chat',
    host: 'chatgpt.com',
    source: 'agent',
    input: 900,
    output: 650,
  },
  claudeChat: {
    provider: 'anthropic',
    product: 'chat-app',
    category: 'chat',
    host: 'claude.ai',
    source: 'agent',
    input: 1100,
    output: 800,
  },
  gatewayOpenai: {
    provider: 'openai',
    product: 'api',
    category: 'llm-api',
    host: 'api.openai.com',
    source: 'api',
    models: ['gpt-4o', 'gpt-4o-mini', 'o3'],
    input: 3200,
    output: 700,
  },
  gatewayAnthropic: {
    provider: 'anthropic',
    product: 'api',
    category: 'llm-api',
    host: 'api.anthropic.com',
    source: 'api',
    models: ['claude-sonnet-4', 'claude-3-5-haiku'],
    input: 4200,
    output: 900,
  },
  azure: {
    provider: 'azure-openai',
    product: 'api',
    category: 'llm-api',
    host: 'acme-prod.openai.azure.com',
    source: 'api',
    models: ['gpt-4o'],
    input: 2600,
    output: 500,
  },
  vertex: {
    provider: 'google-vertex',
    product: 'api',
    category: 'llm-api',
    host: 'europe-west4-aiplatform.googleapis.com',
    source: 'api',
    models: ['gemini-1.5-pro', 'gemini-2.5-flash'],
    input: 5200,
    output: 800,
  },
  msCopilot: {
    provider: 'microsoft-copilot',
    product: 'chat-app',
    category: 'chat',
    host: 'copilot.microsoft.com',
    source: 'agent',
    input: 700,
    output: 500,
  },
};

/** Which tools each division reaches for (weights = requests per active day). */
const TOOLSETS: Record<string, Array<[keyof typeof TOOLS, number]>> = {
  Engineering: [
    ['claudeCode', 14],
    ['copilot', 40],
    ['chatgpt', 5],
    ['gatewayOpenai', 6],
    ['gatewayAnthropic', 5],
    ['vertex', 2],
  ],
  Product: [
    ['chatgpt', 12],
    ['claudeChat', 8],
    ['gatewayOpenai', 2],
  ],
  Sales: [
    ['chatgpt', 10],
    ['msCopilot', 8],
    ['azure', 3],
  ],
  Marketing: [
    ['chatgpt', 14],
    ['claudeChat', 6],
    ['vertex', 2],
  ],
  'Customer Success': [
    ['chatgpt', 8],
    ['azure', 6],
    ['msCopilot', 4],
  ],
  Finance: [
    ['msCopilot', 6],
    ['chatgpt', 3],
    ['azure', 2],
  ],
  Legal: [
    ['claudeChat', 5],
    ['msCopilot', 3],
  ],
  People: [
    ['chatgpt', 5],
    ['msCopilot', 4],
  ],
};

export const DEMO_DAYS = 90;

/** The org's local date and the minutes since its local midnight. */
function localClock(timeZone: string, now: Date): { date: string; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

function dayString(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Demand on a day: weekly rhythm (quiet weekends), steady growth, and a little noise. */
function dayFactor(random: Random, date: Date, dayIndex: number): number {
  const weekday = date.getUTCDay();
  const weekly = weekday === 0 || weekday === 6 ? 0.12 : weekday === 1 ? 0.9 : weekday === 5 ? 0.8 : 1;
  const growth = 0.45 + 0.55 * (dayIndex / (DEMO_DAYS - 1)) ** 1.3;
  return weekly * growth * (0.8 + random.next() * 0.4);
}

interface Plan {
  user: DemoUser;
  intensity: number;
  /** Adoption: the day index this person started using AI tools. */
  startDay: number;
  tools: Array<{ tool: Tool; weight: number }>;
}

function planUsers(users: DemoUser[], random: Random): Plan[] {
  return users.map((user) => {
    const toolset = TOOLSETS[user.division] ?? TOOLSETS.People ?? [];
    const tools = toolset
      .filter(() => random.chance(0.75))
      .map(([key, weight]) => ({ tool: TOOLS[key] as Tool, weight }));
    // A fifth of the org adopts during the 90 days: part of the growth curve.
    const startDay = random.chance(0.2) ? random.int(10, DEMO_DAYS - 5) : 0;
    const intensity = random.chance(0.06) ? 0 : random.skewed();
    return { user, intensity, startDay, tools };
  });
}

/**
 * 90 days of usage, written straight into the daily rollups for every day before today (one
 * statement per few thousand rows), and as raw events for today, from which today's rollups are
 * derived through the pipeline's own aggregation. Returns the number of rollup rows and events.
 */
export async function seedDemoUsage(
  tx: Tx,
  orgId: string,
  timeZone: string,
  users: DemoUser[],
  devicesByUser: Map<string, string>,
  random: Random,
  now = new Date(),
): Promise<{ rollupRows: number; events: number }> {
  const plans = planUsers(users, random);
  const local = localClock(timeZone, now);
  // `today` is the org's calendar day; its UTC midnight only serves date arithmetic.
  const today = new Date(`${local.date}T00:00:00Z`);
  type DailyRow = Parameters<typeof upsertRollups>[2]['daily'][number];
  const daily: DailyRow[] = [];
  for (let index = 0; index < DEMO_DAYS - 1; index++) {
    const date = new Date(today);
    date.setUTCDate(today.getUTCDate() - (DEMO_DAYS - 1 - index));
    const factor = dayFactor(random, date, index);
    for (const plan of plans) {
      if (index < plan.startDay || plan.intensity === 0) continue;
      for (const { tool, weight } of plan.tools) {
        const requests = Math.round(weight * plan.intensity * factor * (0.6 + random.next() * 0.8));
        if (requests <= 0) continue;
        const model = tool.models ? random.pick(tool.models) : null;
        const input = Math.round(requests * tool.input * (0.7 + random.next() * 0.6));
        const output = Math.round(requests * tool.output * (0.7 + random.next() * 0.6));
        const reported = tool.source === 'api';
        daily.push({
          bucket: dayString(date),
          user_id: plan.user.id,
          department_id: plan.user.departmentId,
          provider: tool.provider,
          model,
          category: tool.category,
          source: tool.source,
          events: requests,
          bytes_up: input * 4 + requests * 900,
          bytes_down: output * 6 + requests * 1500,
          duration_ms: requests * random.int(2_000, 20_000),
          est_input_tokens: input,
          est_output_tokens: output,
          reported_input_tokens: reported ? input : 0,
          reported_output_tokens: reported ? output : 0,
        });
      }
    }
  }
  for (let i = 0; i < daily.length; i += 5000) {
    await upsertRollups(tx, orgId, { hourly: [], daily: daily.slice(i, i + 5000) });
  }

  // Today as raw events up to now, so the live pages have real rows behind them.
  const events: EventRow[] = [];
  const minutesToday = Math.max(1, local.minutes);
  const midnight = now.getTime() - minutesToday * 60_000;
  const todayFactor = dayFactor(random, today, DEMO_DAYS - 1) * Math.min(1, minutesToday / (17 * 60));
  for (const plan of plans) {
    if (plan.intensity === 0) continue;
    for (const { tool, weight } of plan.tools) {
      const requests = Math.min(40, Math.round(weight * plan.intensity * todayFactor * random.next()));
      for (let r = 0; r < requests; r++) {
        const occurred = new Date(
          Math.min(
            now.getTime() - 1000,
            midnight + random.int(0, minutesToday - 1) * 60_000 + random.int(0, 59_000),
          ),
        );
        const input = Math.round(tool.input * (0.4 + random.next() * 1.2));
        const output = Math.round(tool.output * (0.4 + random.next() * 1.2));
        const duration = random.int(1_500, 30_000);
        events.push({
          id: newEventId(occurred.getTime()),
          occurred_at: occurred,
          ended_at: new Date(occurred.getTime() + duration),
          device_id: tool.source === 'agent' ? (devicesByUser.get(plan.user.id) ?? null) : null,
          api_key_id: null,
          user_id: plan.user.id,
          department_id: plan.user.departmentId,
          manager_id: null,
          os_user: null,
          source: tool.source,
          host: tool.host,
          provider: tool.provider,
          product: tool.product,
          category: tool.category,
          model: tool.models ? random.pick(tool.models) : null,
          transport: tool.source === 'agent' ? 'tcp' : null,
          bytes_up: input * 4 + 900,
          bytes_down: output * 6 + 1500,
          duration_ms: duration,
          est_input_tokens: input,
          est_output_tokens: output,
          token_method: tool.source === 'api' ? 'reported' : `bytes:v1:${tool.provider}/${tool.product}`,
        });
      }
    }
  }
  for (let i = 0; i < events.length; i += 5000) {
    const chunk = events.slice(i, i + 5000);
    await insertEvents(tx, orgId, chunk);
    await upsertRollups(tx, orgId, aggregateRollups(chunk, timeZone));
  }
  return { rollupRows: daily.length, events: events.length };
}
