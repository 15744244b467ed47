"""Every typology of the library passes its test vectors (each pattern alerts, at the movement that completes
it) and its near misses (none alerts). Pure Python: no database."""

import pytest

from apps.compliance.typologies.base import library, typology
from apps.compliance.typologies.vectors import load_vectors, vector_files

SEQUENCES = [sequence for path in vector_files() for sequence in load_vectors(path)]


def test_every_typology_of_the_library_ships_vectors_and_near_misses():
    by_typology = {}
    for sequence in SEQUENCES:
        by_typology.setdefault(sequence.typology, []).append(sequence)
    for entry in library():
        sequences = by_typology.get(entry.code, [])
        assert any(s.expected_triggers for s in sequences), f"{entry.code} has no vector that must alert"
        assert any(not s.expected_triggers for s in sequences), f"{entry.code} has no near miss"


@pytest.mark.parametrize("sequence", SEQUENCES, ids=[f"{s.typology}: {s.name}" for s in SEQUENCES])
def test_typology_vector(sequence):
    entry = typology(sequence.typology)
    parameters = entry.typed_parameters(entry.validated_parameters(sequence.parameters))

    findings = entry.scan(sequence.movements, parameters=parameters, context=sequence.context)

    assert sorted(f.trigger_id for f in findings) == sorted(sequence.expected_triggers)
    ids = {m.id for m in sequence.movements}
    for finding in findings:
        assert finding.typology == entry.code
        assert finding.trigger_id in finding.movement_ids and set(finding.movement_ids) <= ids
        assert 0 <= finding.score <= 100 and finding.summary
