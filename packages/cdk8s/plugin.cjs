'use strict';

// The entry `cdk8s synth` loads: the CLI require()s the plugin package directory (so "main", not "exports") and
// calls `new PalisadeValidation(properties)`, then awaits `validate(context)`. The implementation is an ES module,
// which require() cannot load on every Node version the CLI supports, so this CommonJS class defers to it with a
// dynamic import (by package self-reference, so the usual export conditions apply).
class PalisadeValidation {
  constructor(properties) {
    this.properties = properties === undefined ? {} : properties;
  }

  async validate(context) {
    const { PalisadeValidation: Implementation } = await import('@palisade/cdk8s/validation-plugin');
    return new Implementation(this.properties).validate(context);
  }
}

module.exports = { PalisadeValidation };
