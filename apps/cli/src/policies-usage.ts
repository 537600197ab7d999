/** `palisade policies --help`: imports nothing, so `policies` does not load the validator (see usage.ts). */

export const POLICIES_USAGE = `Usage: palisade policies [options]

List the policies in the catalogue with their severity, category and Pod Security Standards level.

Options:
  -f, --format <format>   text or json (default: text)
  -h, --help              Show this help
`;
