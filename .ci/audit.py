"""`make audit`: bandit over our code and pip-audit over the installed packages (issue 8; research §B,
goal 8). Exits 1 on a bandit finding of medium severity or higher that nobody has accepted, or on a known
vulnerability in an installed package; 0 otherwise.

Bandit reads [tool.bandit] in pyproject.toml (which folders to leave out). A finding is fixed, or marked
safe on its line with `# nosec Bxxx: reason`, or, for code whose owner has not done that yet, accepted in
.ci/bandit-accepted.toml with the reason, by file, test and count: one more finding of that test in that
file fails again.

pip-audit asks a vulnerability service (PyPI's JSON API, else OSV) about each installed package. Where
that service cannot be reached, pip-audit skips the packages rather than failing; this script says
plainly how many packages were not checked and why, and fails only on a vulnerability actually found.
"""

import json
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ACCEPTED = ROOT / ".ci" / "bandit-accepted.toml"
OUR_PROJECT = "smeqa"  # installed from this checkout: no service knows it
BANDIT = [BIN / "bandit", "-c", "pyproject.toml", "-r", ".", "--severity-level", "medium", "-q"]
PIP_AUDIT = [
    BIN / "pip-audit",
    "--local",
    "--skip-editable",
    "--progress-spinner=off",
    "--format=json",
    "--desc=off",
    "--timeout=15",
]


def main() -> int:
    bandit_ok = bandit()
    print()
    audit_ok = pip_audit()
    return 0 if bandit_ok and audit_ok else 1


def bandit() -> bool:
    """Run bandit at medium severity and up; report every finding as new or accepted."""
    print("bandit (medium severity and up; [tool.bandit] in pyproject.toml)")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "bandit.json"
        run = subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
            [*BANDIT, "-f", "json", "-o", str(report)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if not report.exists():
            print(f"  bandit did not run (exit {run.returncode}):\n{run.stderr}")
            return False
        data = json.loads(report.read_text())
    for error in data.get("errors", []):
        print(f"  could not scan {error['filename']}: {error['reason']}")
    accepted = _accepted()
    found = Counter()
    new = []
    for result in data["results"]:
        key = (result["filename"].removeprefix("./"), result["test_id"])
        found[key] += 1
        if found[key] > accepted.get(key, {}).get("count", 0):
            new.append(result)
    for (file, test), entry in sorted(accepted.items()):
        if found[(file, test)]:
            print(f"  accepted: {file} {test} x{found[(file, test)]}: {entry['reason']}")
    for result in new:
        flagged = next(
            (line for line in result["code"].splitlines() if line.startswith(f"{result['line_number']} ")),
            "",
        )
        print(
            f"  NEW: {result['filename'].removeprefix('./')}:{result['line_number']} {result['test_id']} "
            f"({result['issue_severity'].lower()}): {result['issue_text']}\n      {flagged.strip()}"
        )
    scanned = data["metrics"]["_totals"]["loc"]
    skipped = data["metrics"]["_totals"]["nosec"]
    print(
        f"  {len(new)} new finding(s); {sum(found.values()) - len(new)} accepted; {skipped} line(s) marked "
        f"# nosec; {scanned:,} lines scanned"
    )
    return not new and not data.get("errors")


def _accepted() -> dict[tuple[str, str], dict]:
    if not ACCEPTED.exists():
        return {}
    entries = tomllib.loads(ACCEPTED.read_text()).get("accepted", [])
    accepted = {}
    for entry in entries:
        if not entry.get("reason", "").strip():
            raise SystemExit(f"{ACCEPTED}: {entry['file']} {entry['test']} has no reason")
        accepted[(entry["file"], entry["test"])] = entry
    return accepted


def pip_audit() -> bool:
    """Run pip-audit on this environment, PyPI's service first and OSV if PyPI checked nothing."""
    print("pip-audit (the packages installed in this environment)")
    for service in ("pypi", "osv"):
        outcome = _pip_audit_with(service)
        if outcome is None:
            continue
        checked, skipped, vulnerable = outcome
        for name, version, vulnerability in vulnerable:
            fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed release yet"
            print(f"  VULNERABLE: {name} {version}: {vulnerability['id']} (fixed in {fixed})")
        if skipped:
            reasons = Counter(reason.split(":")[0] for reason in skipped.values())
            print(
                f"  NOT CHECKED: {len(skipped)} of {len(skipped) + len(checked)} packages "
                f"({'; '.join(f'{reason}: {n}' for reason, n in reasons.items())})"
            )
        if checked:
            print(
                f"  {len(checked)} packages checked against {service}: "
                f"{len(vulnerable)} known vulnerabilit{'y' if len(vulnerable) == 1 else 'ies'}"
            )
            return not vulnerable
        print(f"  {service} checked no package.")
    print(
        "  NOTHING WAS CHECKED: neither vulnerability service could be reached from here (PyPI's per-release\n"
        "  JSON API, https://pypi.org/pypi/<name>/<version>/json, nor https://api.osv.dev). This step fails\n"
        "  only on a vulnerability found, so it passes; run `make audit` where either service is reachable."
    )
    return True


def _pip_audit_with(service: str) -> tuple[list[str], dict[str, str], list[tuple]] | None:
    """(checked names, {skipped name: reason}, [(name, version, vulnerability)]), or None if pip-audit
    could not talk to the service at all."""
    run = subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
        [*PIP_AUDIT, "--vulnerability-service", service],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        data = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  {service}: pip-audit could not reach the service: {last[:300]}")
        return None
    checked, skipped, vulnerable = [], {}, []
    for dependency in data.get("dependencies", []):
        name = dependency["name"]
        if name == OUR_PROJECT:
            continue
        if "skip_reason" in dependency:
            skipped[name] = dependency["skip_reason"]
            continue
        checked.append(name)
        vulnerable += [(name, dependency.get("version", "?"), v) for v in dependency.get("vulns", [])]
    return checked, skipped, vulnerable


if __name__ == "__main__":
    sys.exit(main())
