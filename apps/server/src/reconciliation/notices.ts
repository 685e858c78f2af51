/** Found when a provider's reported usage exceeds what agents saw beyond the uncertainty band. */
export interface ShadowAiGapNotice {
  type: 'shadow_ai.gap';
  orgId: string;
  provider: string;
  date: string;
  gap_tokens: number;
  band: { lower: number; upper: number };
  /** Gap as a share of the provider-reported total. */
  share: number;
}
