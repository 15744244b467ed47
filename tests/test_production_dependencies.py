"""What `pip install .` (no test extras) installs must be enough to run: the test extras bring packages of their own
(pytest brings packaging) that would hide a production dependency missing (.ci/prod_smoke.sh checks the same on a
real install)."""

from importlib.metadata import distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def production_closure(project: str = "ogpgy-backoffice") -> set[str]:
    """Every distribution the project's own requirements bring in, without its extras."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(project, frozenset())]
    while todo:
        name, extras = todo.pop()
        if (canonicalize_name(name), extras) in seen:
            continue
        seen.add((canonicalize_name(name), extras))
        for line in distribution(name).requires or []:
            requirement = Requirement(line)
            if requirement.marker and not any(requirement.marker.evaluate({"extra": extra})
                                              for extra in (extras or {""})):
                continue
            todo.append((requirement.name, frozenset(requirement.extras)))
    return {name for name, _ in seen}


def test_the_production_install_brings_what_the_redis_broker_transport_imports():
    # kombu's Redis transport imports redis and packaging; plain celery brings neither (celery[redis] does)
    assert {"redis", "packaging", "kombu"} <= production_closure()
