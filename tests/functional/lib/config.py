#!/usr/bin/env python3
# config.py -- a scenario's config: a fixture of tests/data/configs/ with the scenario's overrides merged in
#
# usage: config.py BASE < OVERRIDES > CONFIG
# BASE is a config (a fixture, or one a scenario wrote before); OVERRIDES is YAML (empty:
# none; several documents, split by ---, apply in turn). A mapping merges into the base's mapping of the same key, key by key and all the
# way down; any other value (a scalar, a list) replaces the base's; null removes the key.
# CONFIG is block YAML, the base's keys in their order, then the new ones; a string that
# needs quotes gets double quotes, so `peer: "http://..."` reads as it is usually written
# (t_peer_port edits it so). Used by t_config (tests/functional/lib.sh).
import sys

import yaml


def merge(base, over):
    for key, value in over.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


class Dumper(yaml.SafeDumper):
    """Double quotes where PyYAML would choose single ones."""

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


with open(sys.argv[1]) as f:
    config = yaml.safe_load(f)
for overrides in yaml.safe_load_all(sys.stdin):
    if overrides is None:
        continue
    if not isinstance(overrides, dict):
        sys.exit("config.py: the overrides are not a YAML mapping")
    merge(config, overrides)
yaml.dump(config, sys.stdout, Dumper=Dumper, sort_keys=False,
          default_flow_style=None, width=1000)
