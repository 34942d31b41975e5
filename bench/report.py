"""What a benchmark hands to bench/run.py: with BENCH_JSON set to a file, `record` merges its figures
into that file as JSON (one object per benchmark name); without it, nothing happens."""

import json
import os
from pathlib import Path


def record(name: str, **figures) -> None:
    target = os.environ.get("BENCH_JSON")
    if not target:
        return
    path = Path(target)
    data = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
    data[name] = figures
    path.write_text(json.dumps(data, indent=2, default=str))
