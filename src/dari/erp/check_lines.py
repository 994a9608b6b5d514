"""Line numbers of a catalog's YAML nodes, so that `dari erp check` can say `FILE:LINE`."""

from __future__ import annotations

import yaml

# The C loader when PyYAML was built with it: same nodes, faster on a large catalog.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlLines:
    """Line numbers of YAML nodes by path (anchors resolve to their definition, `<<` merges).

    `lines("tools", 0, "description_ko")` is the 1-based line of that node, or of the deepest
    part of the path that exists; 1 when none does; None when the text is not YAML."""

    def __init__(self, text: str) -> None:
        try:
            self.root: yaml.Node | None = yaml.compose(text, Loader=LOADER)
        except yaml.YAMLError:
            self.root = None

    @staticmethod
    def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            return node.value[key] if key < len(node.value) else None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    return v  # type: ignore[no-any-return]
            for k, v in node.value:  # merge keys
                if k.value == "<<":
                    for source in v.value if isinstance(v, yaml.SequenceNode) else [v]:
                        found = YamlLines._child(source, key)
                        if found is not None:
                            return found
        return None

    def __call__(self, *path: str | int) -> int | None:
        node, line = self.root, None
        for key in path:
            if node is None:
                break
            node = self._child(node, key)
            if node is not None:
                line = node.start_mark.line + 1
        if line is None and self.root is not None:
            return 1
        return line
