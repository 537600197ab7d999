export { compileCond, compileRule, compileValue, type Env, type Path, readPath, type Violation } from './compile.js';
export {
  identityOf,
  InvalidParametersError,
  type PolicyConfig,
  type PolicyResult,
  type ResultStatus,
  Validator,
  type ValidatorOptions,
} from './engine.js';
