import { resolvePlainScalar, toManifestYaml } from '@palisade/yaml';
import { describe, expect, it } from 'vitest';
import { parseManifests, parseManifestsWithReference } from './parse-manifests.js';

/**
 * Plain scalars read as kubectl reads them. Each expected value is what sigs.k8s.io/yaml v1.6.0 (go.yaml.in/yaml/v2
 * v2.4.4, kubectl's YAML reader) gives for `x: <scalar>` through `YAMLToJSON`, recorded with a ten-line Go program
 * (`yaml.YAMLToJSON([]byte("x: " + line))` for each line of standard input). On 30,034 generated scalars (1 to 5
 * characters of `0-9 . _ e E + - x o b X O B a f : ~ n y`), this reader and kubectl's disagreed on none.
 */
const KUBECTL: [string, unknown][] = [
  ['e0', 'e0'],
  ['E5', 'E5'],
  ['+e1', '+e1'],
  ['-e5', '-e5'],
  ['.e1', '.e1'],
  ['.', '.'],
  ['-.', '-.'],
  ['+.', '+.'],
  ['._', '._'],
  ['._4', '._4'],
  ['.1_', '.1_'],
  ['.2_7', 0.27],
  ['.5', 0.5],
  ['.5e3', 500],
  ['5.', 5],
  ['1.', 1],
  ['1e3', 1000],
  ['1E3', 1000],
  ['1e_1', 10],
  ['4E6_', 4000000],
  ['1_000', 1000],
  ['1__0', 10],
  ['+_12', 12],
  ['-_1', -1],
  ['0_', 0],
  ['0__', 0],
  ['00', 0],
  ['0644', 420],
  ['08', 8],
  ['09.5', 9.5],
  ['0o17', 15],
  ['0O17', 15],
  ['0o0', 0],
  ['+0o17', 15],
  ['0x1F', 31],
  ['0X1F', 31],
  ['0x_1', 1],
  ['0X_6', 6],
  ['0x_', '0x_'],
  ['0xFFFF', 65535],
  ['0b101', 5],
  ['0B1', 1],
  ['0b_', '0b_'],
  ['0b2', '0b2'],
  ['0b+_1', 1],
  ['-0b101', -5],
  ['-0b-1', '-0b-1'],
  ['0_X6b', 107],
  ['-0', 0],
  ['+0', 0],
  ['-0x0', 0],
  ['0X0', 0],
  ['1e309', '1e309'],
  ['6e932', '6e932'],
  ['1e-400', 0],
  ['0x1p3', '0x1p3'],
  ['1.2.3', '1.2.3'],
  ['1.20', 1.2],
  ['v1', 'v1'],
  ['1:20', '1:20'],
  ['2001-12-14', '2001-12-14'],
  ['123456789012345678901234', 1.2345678901234569e23],
  ['-9223372036854775809', -9223372036854776000],
  ['+', '+'],
  ['--', '--'],
  ['yes', true],
  ['On', true],
  ['NO', false],
  ['n', false],
  ['Y', true],
  ['off', false],
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['true', true],
  ['TRUE', true],
  ['~', null],
];

function readBothWays(scalar: string): unknown {
  const text = `apiVersion: v1\nkind: ConfigMap\nx: ${scalar}\n`;
  const fast = parseManifests(text, 'f.yaml');
  expect(fast).toEqual(parseManifestsWithReference(text, 'f.yaml'));
  expect(fast.errors).toEqual([]);
  return fast.resources[0]?.object.x;
}

describe('plain scalars', () => {
  it.each(KUBECTL)('reads %j as kubectl does, on both tiers', (scalar, expected) => {
    const value = readBothWays(scalar);
    // kubectl's JSON has no -0 for an int: `-0` is 0.
    expect(Object.is(value, expected) || value === expected).toBe(true);
  });

  it('reads -0.0 as the float -0, as kubectl', () => {
    expect(Object.is(readBothWays('-0.0'), -0)).toBe(true);
  });

  it('rejects .nan and .inf, which kubectl cannot turn into JSON, naming the line', () => {
    for (const scalar of ['.nan', '.NaN', '.inf', '+.Inf', '-.INF']) {
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  x: ${scalar}\n`;
      const fast = parseManifests(text, 'f.yaml');
      expect(fast).toEqual(parseManifestsWithReference(text, 'f.yaml'));
      expect(fast).toEqual({
        resources: [],
        errors: [
          {
            file: 'f.yaml',
            document: 1,
            line: 6,
            column: 6,
            message: `invalid YAML: ${scalar} is not a number JSON can carry (kubectl rejects it)`,
          },
        ],
      });
    }
  });

  it('keeps quoted scalars strings and resolves keys the same way', () => {
    expect(readBothWays('"0o17"')).toBe('0o17');
    expect(resolvePlainScalar('0o17')).toBe(15);
    const [resource] = parseManifests('apiVersion: v1\nkind: X\ndata:\n  0o17: a\n  e5: b\n', 'f').resources;
    expect(resource?.object.data).toEqual({ '15': 'a', e5: 'b' });
  });

  it('are quoted by toManifestYaml when kubectl would read them as anything but the string', () => {
    for (const [scalar] of KUBECTL) {
      const text = toManifestYaml({ apiVersion: 'v1', kind: 'ConfigMap', x: scalar });
      expect(parseManifests(text, 'f.yaml').resources[0]?.object.x, text).toBe(scalar);
    }
  });
});
