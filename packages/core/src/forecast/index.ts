export type { Backtest, DailyValue, Forecast, ForecastPoint } from './forecast.js';
export { addDaysUtc, forecastDaily, MIN_HISTORY_DAYS, mape, naiveSeasonal } from './forecast.js';
export type { HoltWintersFit } from './holt-winters.js';
export { fitHoltWinters, horizonSigma, projectHoltWinters } from './holt-winters.js';
export type { TrendAssessment, TrendClass } from './trend.js';
export { classifyTrend, DECLINE_THRESHOLD, RECENT_WEEKS, TREND_CLASSES, TREND_TOLERANCE } from './trend.js';
