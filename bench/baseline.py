"""What every benchmark here shares: a scratch database recreated per run, and pgbench's TPC-B-like script as
the baseline measured in the same process on the same PostgreSQL (this machine is shared and noisy)."""

import re
import subprocess
from urllib.parse import urlparse


def psql_args(url: str) -> list[str]:
    parsed = urlparse(url)
    return ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432), "-U", parsed.username or "postgres"]


def recreate_database(url: str) -> str:
    name = urlparse(url).path.lstrip("/")
    args = psql_args(url)
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True, capture_output=True)
    subprocess.run(["createdb", *args, name], check=True)
    return name


def pgbench_tps(url: str, *, clients: int, seconds: int) -> float:
    """pgbench -b tpcb-like with ``clients`` clients for ``seconds`` on the database of ``url`` (initialised at
    scale ``clients`` so that branches are not the only contention)."""
    name, args = urlparse(url).path.lstrip("/"), psql_args(url)
    subprocess.run(["pgbench", *args, "-i", "-q", "-s", str(max(clients, 1)), name], check=True,
                   capture_output=True)
    out = subprocess.run(["pgbench", *args, "-b", "tpcb-like", "-c", str(clients), "-j", str(min(clients, 2)),
                          "-T", str(seconds), "-n", name], check=True, capture_output=True, text=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))
