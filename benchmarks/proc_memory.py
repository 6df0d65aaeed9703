"""This process's peak resident memory, for benchmarks that measure each step in its own process."""

from __future__ import annotations

import resource


def peak_mb() -> float:
    """Peak resident memory (MB) of this process: VmHWM, which (unlike ``ru_maxrss``, which
    keeps the parent's peak across fork + exec) starts afresh in a spawned process."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
