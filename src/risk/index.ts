/**
 * Market risk: portfolios and full revaluation, VaR and ES (historical, age-weighted,
 * volatility-scaled, filtered historical, normal, Student-t, Cornish-Fisher, EWMA, GARCH,
 * delta-normal, delta-gamma, Monte Carlo), Euler allocation, bootstrap intervals, stress tests,
 * and backtests (Kupiec, Christoffersen, traffic light, Acerbi-Szekely) with a rolling runner.
 */
export { valueAtRisk, ageWeights, type ValueAtRiskArgs, type ValueAtRiskResult, type VarMethod } from './value-at-risk.js';
export { revaluePortfolio, type Portfolio, type Position, type ScenarioSet, type RevaluationResult, type RevaluePortfolioArgs } from './portfolio.js';
export { fitGarch, garchLogLikelihood, garchFilter, simulateGarch, ewmaVariance, type SimulateGarchOptions, type GarchFit, type GarchParameters, type FitGarchOptions, type EwmaResult, type GarchModel, type GarchDistribution } from './garch.js';
export { kupiec, christoffersen, trafficLight, acerbiSzekely, type KupiecResult, type ChristoffersenResult, type TrafficLightResult, type AcerbiSzekelyResult, type PredictiveDistribution } from './backtests.js';
export { rollingBacktest, type RollingBacktestArgs, type MethodBacktest } from './backtest-runner.js';
export { stressTest, stressedVar, DEFAULT_STRESS_PERIODS, type StressTestArgs, type StressedVarArgs, type StressTestResult, type StressPeriod } from './stress.js';
export { parsePriceCsv, priceReturns, alignHistories, PriceCsvError, type ParsePriceCsvOptions, type PriceHistory, type AlignedHistories, type Gap } from './returns.js';
export { empiricalTail, weightedTail, tailIndex, type TailEstimate } from './tail-measures.js';
export { normalVarEs, studentTVarEs, cornishFisherVarEs, fitStudentT, sampleMoments } from './parametric.js';
export { portfolioSensitivities, type Sensitivities, type DeltaGammaOptions } from './delta-gamma.js';
export { monteCarloScenarios, type MonteCarloVarOptions } from './monte-carlo-var.js';
export type { Allocation, PositionAllocation } from './allocation.js';
export type { BootstrapInterval } from './bootstrap.js';
export { philoxUniforms, philoxNormals, type Seed } from './random.js';
export {
  gammaP, gammaQ, betaInc, chiSquareCdf, chiSquareSf, studentTCdf, studentTSf, studentTPdf, studentTQuantile, binomialCdf, logGamma, digamma,
} from './distributions.js';
