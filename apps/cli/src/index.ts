import { type CliIO, EXIT_OK, EXIT_USAGE_OR_INPUT, UsageError } from './io.js';
import { MAIN_USAGE } from './main-usage.js';
import { cliVersion } from './version.js';

export {
  type CliIO,
  EXIT_FAILURES,
  EXIT_OK,
  EXIT_USAGE_OR_INPUT,
  type OutputStream,
  UsageError,
} from './io.js';

// Each command is imported when it runs, so start-up loads only what that command needs: `validate` never loads the
// Gatekeeper and Kyverno compilers, `--version` loads no policy at all (see docs/performance.md, "Start-up").
const validateCommand = async (argv: readonly string[], io: CliIO): Promise<number> =>
  (await import('./validate-command.js')).validateCommand(argv, io);
const policiesCommand = async (argv: readonly string[], io: CliIO): Promise<number> =>
  (await import('./policies-command.js')).policiesCommand(argv, io);
const auditCommand = async (argv: readonly string[], io: CliIO): Promise<number> =>
  (await import('./audit-command.js')).auditCommand(argv, io);
const buildCommand = async (argv: readonly string[], io: CliIO): Promise<number> =>
  (await import('./build-command.js')).buildCommand(argv, io);

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
        return await policiesCommand(rest, io);
      case 'build':
        return await buildCommand(rest, io);
      case 'audit':
        return await auditCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"; commands: validate, audit, policies, build`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const scope =
      command === 'validate' || command === 'audit' || command === 'policies' || command === 'build'
        ? ` ${command}`
        : '';
    io.stderr.write(`palisade${scope}: ${error.message}\nRun 'palisade${scope} --help' for usage.\n`);
    return EXIT_USAGE_OR_INPUT;
  }
}

function helpFor(command: string | undefined, io: CliIO): Promise<number> | number {
  if (command === 'validate') return validateCommand(['--help'], io);
  if (command === 'policies') return policiesCommand(['--help'], io);
  if (command === 'build') return buildCommand(['--help'], io);
  if (command === 'audit') return auditCommand(['--help'], io);
  io.stdout.write(MAIN_USAGE);
  return EXIT_OK;
}
