/// <reference types="chrome" />

/** The part of the server's preflight answer the rules are built from. */
export interface PreflightAnswer {
  allow: boolean;
  code: string;
  reason: string;
  remaining_tokens: number | null;
  budget_id: string | null;
  period: string;
  tier: string;
  model_rules: Array<{ pattern: string; allowed: boolean }>;
  ttl_seconds: number;
  exemption_url: string;
  /** The user's Privacy Hours: nothing is captured while they are in force. */
  privacy?: {
    time_zone: string;
    windows: Array<{ days?: number[]; start: string; end: string }>;
    paused_until: string | null;
    paused_indefinitely: boolean;
  };
}

type Rule = chrome.declarativeNetRequest.Rule;

export const BLOCKED_PAGE = '/blocked.html';
const CAP_PRIORITY = 1000;
const TIER_BASE_PRIORITY = 500;
const TIER_RULE_ID_BASE = 100;
const XHR_TYPES = ['sub_frame', 'xmlhttprequest', 'websocket', 'other', 'ping', 'media'] as const;

/**
 * A tier rule's model pattern (JS regex on the lower-cased model name) as an RE2 regex on the URL,
 * where a model appears: `…/models/<m>:verb` (Gemini, Vertex), `…/deployments/<m>/` (Azure),
 * `…/model/<m>/invoke` (Bedrock) or `?model=<m>`. `^` anchors at the start of the model segment;
 * `$` at its end.
 */
export function modelUrlRegex(pattern: string): string {
  const branches = topLevelBranches(pattern).map((branch) => {
    const anchored = branch.startsWith('^');
    const body = (anchored ? branch.slice(1) : branch).replaceAll('$', '(?:[:/?&#]|$)');
    return anchored ? body : `[^/:?&#]*${body}`;
  });
  const segment = '(?:[^?#]*/(?:models|deployments|model)/|[^#]*[?&]model=)';
  return `^https://[^/]+/${segment}(?:${branches.join('|')})`;
}

/** `^a|b(c|d)` → [`^a`, `b(c|d)`]: splits on `|` outside groups and character classes. */
function topLevelBranches(pattern: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  out.push(pattern.slice(start));
  return out;
}

/**
 * The dynamic rules for one preflight answer. Blocked (hard cap, manual block): every AI host is
 * blocked before the request leaves the browser; a top-level navigation is redirected to the
 * extension's notice page. Allowed: the tier rules, in order, each an allow or a block for URLs
 * that name a matching model; earlier rules get higher priority, so the first match wins as on
 * the server.
 */
export function rulesFor(answer: PreflightAnswer, domains: readonly string[]): Rule[] {
  if (!answer.allow) {
    return [
      {
        id: 1,
        priority: CAP_PRIORITY,
        action: {
          type: 'redirect' as chrome.declarativeNetRequest.RuleActionType,
          redirect: { extensionPath: BLOCKED_PAGE },
        },
        condition: {
          requestDomains: [...domains],
          resourceTypes: ['main_frame' as chrome.declarativeNetRequest.ResourceType],
        },
      },
      {
        id: 2,
        priority: CAP_PRIORITY,
        action: { type: 'block' as chrome.declarativeNetRequest.RuleActionType },
        condition: {
          requestDomains: [...domains],
          resourceTypes: XHR_TYPES as unknown as chrome.declarativeNetRequest.ResourceType[],
        },
      },
    ];
  }
  const lastDenied = answer.model_rules.findLastIndex((r) => !r.allowed);
  if (lastDenied < 0) return [];
  return answer.model_rules.slice(0, lastDenied + 1).map((r, i) => ({
    id: TIER_RULE_ID_BASE + i,
    priority: TIER_BASE_PRIORITY - i,
    action: { type: (r.allowed ? 'allow' : 'block') as chrome.declarativeNetRequest.RuleActionType },
    condition: {
      regexFilter: modelUrlRegex(r.pattern),
      isUrlFilterCaseSensitive: false,
      requestDomains: [...domains],
      resourceTypes: ['main_frame', ...XHR_TYPES] as unknown as chrome.declarativeNetRequest.ResourceType[],
    },
  }));
}

/** Replaces all dynamic rules with `rules`, dropping any regex Chrome's RE2 refuses. */
export async function installRules(rules: Rule[]): Promise<void> {
  const usable: Rule[] = [];
  for (const rule of rules) {
    const regex = rule.condition.regexFilter;
    if (regex) {
      const check = await chrome.declarativeNetRequest.isRegexSupported({ regex, isCaseSensitive: false });
      if (!check.isSupported) continue;
    }
    usable.push(rule);
  }
  const existing = await chrome.declarativeNetRequest.getDynamicRules();
  await chrome.declarativeNetRequest.updateDynamicRules({
    removeRuleIds: existing.map((r) => r.id),
    addRules: usable,
  });
}
