"""A process's resident memory from /proc (Linux), for the benchmarks that measure memory: its peak
(VmHWM, which a step can reset) and what it holds now (VmRSS)."""

from __future__ import annotations

import re
import resource
from pathlib import Path

__all__ = ["memory", "peak_mb", "reset_peak", "status_kb"]


def status_kb(pid: int | str, field: str) -> int:
    """A ``kB`` field of /proc/<pid>/status, e.g. VmHWM or VmRSS (0 when the process is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def memory() -> tuple[int, int]:
    """(peak since the last :func:`reset_peak`, current) bytes of this process."""
    return status_kb("self", "VmHWM") * 1024, status_kb("self", "VmRSS") * 1024


def reset_peak() -> bool:
    """Reset this process's VmHWM to its RSS now (Linux ≥ 4.0); False when not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mb() -> float:
    """Peak resident memory (MB) of this process: VmHWM, which (unlike ``ru_maxrss``, which
    keeps the parent's peak across fork + exec) starts afresh in a spawned process."""
    peak_kb = status_kb("self", "VmHWM")
    if peak_kb:
        return peak_kb / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
