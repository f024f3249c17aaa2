/** Public surface of the simulator (pure TypeScript; no vscode import). */
export { PROFILES, PROFILE_IDS, profileById, geometry, colourOf, canAlias } from './profiles';
export type { ArchProfile, Geometry, Indexing, RangeOp } from './profiles';
export { SCENARIO_NAMES, namedScenario, scenarioFromFacts, isScenarioName } from './scenarios';
export type { Scenario, ScenarioName, Op } from './scenarios';
export type { ArchResult, RunResult, Step, LineInfo, FrameRow, FrameCell, RunOptions } from './run';
export { simulateFinding, simulateNamed, simulateScenario, resolveProfiles, warmUp, HOVER_MAX_BYTES } from './simulate';
export type { SimulationReport, FindingSimOptions } from './simulate';
export { simulateCommand, formatReport, SIMULATE_USAGE } from './command';
export { renderMarkdown, byteExample } from './render/markdown';
export { renderText } from './render/text';
export { renderSvg } from './render/svg';
