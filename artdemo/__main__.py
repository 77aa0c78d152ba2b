"""`python -m artdemo COMMAND ...`: each command lives in its own module's `main(argv)`."""

from __future__ import annotations

import importlib
import sys

from .errors import ArtdemoError

COMMANDS = {
    "predict": ("artdemo.predict_cli", "classify image files or folders into a CSV"),
    "train": ("artdemo.training", "train a task's model from the data cache into models/"),
    "evaluate": ("artdemo.evaluation", "evaluate a task's model on a labels CSV"),
    "data": ("artdemo.downloader", "fill the data cache from the MET, MoMA or MAMe"),
    "models": ("artdemo.hub", "publish or pull models on the Hugging Face Hub"),
}


def usage() -> str:
    lines = ["usage: python -m artdemo COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name:<9} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"artdemo: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    try:
        return int(module.main(rest) or 0)
    except ArtdemoError as err:
        print(f"artdemo: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
