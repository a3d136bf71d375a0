"""Manifests and hostile text shared by the real-process tests and the safety benchmarks."""

from __future__ import annotations

import json
import re

#: Sets the window title (OSC 0), writes the clipboard (OSC 52), uses 8-bit C1 controls
#: (CSI U+009B, OSC U+009D), clears the screen, and adds NUL, backspace and carriage return.
HOSTILE = "\x1b]0;PWNED\x07\x1b]52;c;cHduZWQ=\x07\x9b31m\x9d0;C1\x07\x1b[2J\x00\x08\r"
ARG = HOSTILE.replace("\x00", "")  # command-line arguments cannot hold NUL
YAML_HOSTILE = json.dumps(HOSTILE)  # a double-quoted YAML scalar with the same escapes
#: Bytes that must never reach a terminal from data: C0 but tab/newline, DEL, C1 (as UTF-8).
FORBIDDEN = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def _provider(name: str, base_url: str) -> str:
    return (
        f"apiVersion: smarter.sh/v1\nkind: Provider\nmetadata: {{name: {name}, description: x}}\n"
        f"spec:\n  provider: {{baseUrl: '{base_url}', defaultModel: m, apiKey: null}}\n"
    )


def slow_client_manifest(base_url: str) -> str:
    """The default client (general_assistant) on a provider at `base_url`, with no tools."""
    return (
        _provider("slow", base_url) + "---\napiVersion: smarter.sh/v1\nkind: LLMClient\n"
        "metadata: {name: general_assistant, description: x}\n"
        "spec:\n  config: {provider: slow, appWelcomeMessage: READY-FOR-KILLS}\n"
        "  functions: []\n  plugins: []\n"
    )


def hostile_manifest(base_url: str, client: str = "general_assistant") -> str:
    """A provider, a static plugin and a client whose texts carry HOSTILE escapes."""
    return (
        _provider("fake", base_url) + "---\napiVersion: smarter.sh/v1\nkind: Plugin\n"
        f"metadata: {{name: evil_plugin, pluginClass: static, description: {YAML_HOSTILE}}}\n"
        "spec:\n  selector: {directive: always}\n"
        f"  data:\n    description: facts\n    staticData: {{fact: {YAML_HOSTILE}}}\n"
        "---\napiVersion: smarter.sh/v1\nkind: LLMClient\n"
        f"metadata: {{name: {client}, description: {YAML_HOSTILE}}}\n"
        f"spec:\n  config:\n    provider: fake\n    appWelcomeMessage: {json.dumps('READY ' + HOSTILE)}\n"
        "  functions: [calculator]\n  plugins: [evil_plugin]\n"
    )
