import { buildCommand } from './build-command.js';
import { type CliIO, EXIT_OK, EXIT_USAGE_OR_INPUT, UsageError } from './io.js';
import { policiesCommand } from './policies-command.js';
import { MAIN_USAGE } from './usage.js';
import { validateCommand } from './validate-command.js';
import { cliVersion } from './version.js';

export {
  type CliIO,
  EXIT_FAILURES,
  EXIT_OK,
  EXIT_USAGE_OR_INPUT,
  type OutputStream,
  UsageError,
} from './io.js';

/** Runs the palisade command line in process and returns its exit code (it never calls process.exit). */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr.write(MAIN_USAGE);
        return EXIT_USAGE_OR_INPUT;
      case '-h':
      case '--help':
      case 'help':
        return helpFor(rest[0], io);
      case '-v':
      case '--version':
        io.stdout.write(`${cliVersion()}\n`);
        return EXIT_OK;
      case 'validate':
        return await validateCommand(rest, io);
      case 'policies':
        return policiesCommand(rest, io);
      case 'build':
        return await buildCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"; commands: validate, policies, build`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const scope =
      command === 'validate' || command === 'policies' || command === 'build' ? ` ${command}` : '';
    io.stderr.write(`palisade${scope}: ${error.message}\nRun 'palisade${scope} --help' for usage.\n`);
    return EXIT_USAGE_OR_INPUT;
  }
}

function helpFor(command: string | undefined, io: CliIO): Promise<number> | number {
  if (command === 'validate') return validateCommand(['--help'], io);
  if (command === 'policies') return policiesCommand(['--help'], io);
  if (command === 'build') return buildCommand(['--help'], io);
  io.stdout.write(MAIN_USAGE);
  return EXIT_OK;
}
