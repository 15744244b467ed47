"""Sanctions screening at scale: 100,000 generated customers against a 10,000-name generated list.

    .venv/bin/python bench/screening.py [--customers 100000] [--entries 10000] [--seed 7] [--naive-sample 500]

Runs in memory, without the database, through the production matching code (apps.kyc.name_matching:
normalize_name, blocking_keys, ScreeningIndex.screen with the default threshold 90 and name floor 85), which is
exactly what ``screen_customers`` runs after loading candidates from the ScreeningToken table. Names come from
pools of first and last names with accents; 1% of customers are planted variants of listed names (accents
dropped, word order swapped, a typo) so the hits can be checked. Prints the time to index the list, the time
to screen, the candidate pairs compared (against 10^9 for comparing every pair), hits, planted recall, and an
estimate of the naive all-pairs time from a sample. Not a test: CI does not run it.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.kyc.name_matching import ListedParty, ScreeningIndex, normalize_name, score_party

FIRST = ["Ana", "João", "Maria", "José", "Luís", "Inês", "Pedro", "Sofia", "Miguel", "Beatriz", "Carlos", "Rita",
         "Ivan", "Olga", "Dmitri", "Natalia", "Sergei", "Yulia", "Ahmed", "Fatima", "Omar", "Layla", "Hassan",
         "Zainab", "Wei", "Li", "Chen", "Mei", "Hiroshi", "Yuki", "Kenji", "Aiko", "Jean", "Claire", "Pierre",
         "Amélie", "Hans", "Greta", "Jürgen", "Ingrid", "Søren", "Astrid", "Łukasz", "Zofia", "Tomás", "Lucía",
         "Andrés", "Carmen", "Giovanni", "Chiara", "Kwame", "Ama", "Chidi", "Ngozi", "Rahul", "Priya", "Arjun",
         "Ananya", "Mehmet", "Ayşe", "Emre", "Elif", "Nikos", "Eleni", "Pavel", "Jana", "Bogdan", "Ioana"]
LAST = ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Jesus", "Sousa",
        "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro", "Pinto", "Carvalho",
        "Teixeira", "Moreira", "Correia", "Mendes", "Nunes", "Soares", "Vieira", "Monteiro", "Cardoso", "Rocha",
        "Petrov", "Ivanov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov", "Lebedev", "Kozlov", "Novikov",
        "Al-Rashid", "Haddad", "Khalil", "Nasser", "Mansour", "Saleh", "Hamdan", "Farouk", "Wang", "Zhang", "Liu",
        "Huang", "Zhao", "Tanaka", "Suzuki", "Takahashi", "Watanabe", "Dubois", "Lefèvre", "Moreau", "Laurent",
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Nielsen", "Jensen", "Kowalski", "Nowak",
        "Wiśniewski", "García", "Martínez", "López", "Sánchez", "Rossi", "Russo", "Bianchi", "Mensah", "Okafor",
        "Adeyemi", "Sharma", "Patel", "Gupta", "Y\u0131lmaz", "Kaya", "Demir", "Papadopoulos", "Novák", "Popescu"]
MIDDLE = ["", "", "", "Maria", "Luis", "Ahmad", "Sergeyevich", "de", "van", "Ali", "Paulo", "Jean"]
COUNTRIES = ["PT", "ES", "FR", "DE", "RU", "CN", "SY", "IR", "BR", "NG", "IN", "TR", "GR", "PL", "IT", "US"]


def person(rng):
    middle = rng.choice(MIDDLE)
    return " ".join(part for part in (rng.choice(FIRST), middle, rng.choice(LAST), rng.choice(["", "", rng.choice(
        LAST)])) if part)


def variant(rng, name):
    """A listed name as a customer might write it: word order swapped, accents dropped, one typo."""
    words = name.split()
    if len(words) > 1 and rng.random() < 0.5:
        words = [*words[1:], words[0]]
    text = " ".join(words)
    text = text.replace("é", "e").replace("ã", "a").replace("ç", "c").replace("ü", "u")
    if rng.random() < 0.5:
        position = rng.randrange(1, len(text))
        text = text[:position] + rng.choice("aeiou") + text[position + 1:]
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--naive-sample", type=int, default=500, help="Customers to time against every entry.")
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)

    listed = [(person(rng), rng.choice(COUNTRIES)) for _ in range(arguments.entries)]
    planted = {}
    customers = []
    for number in range(arguments.customers):
        if number % 100 == 0:
            entry_id = rng.randrange(arguments.entries)
            planted[number] = entry_id
            customers.append((variant(rng, listed[entry_id][0]), listed[entry_id][1]))
        else:
            customers.append((person(rng), rng.choice(COUNTRIES)))

    started = time.perf_counter()
    parties = [ListedParty(entry_id=i, normalized_names=(normalize_name(name),), country=country)
               for i, (name, country) in enumerate(listed)]
    index = ScreeningIndex(parties)
    indexed = time.perf_counter() - started

    started = time.perf_counter()
    hits, found_planted = 0, 0
    for number, (name, country) in enumerate(customers):
        matches = index.screen(name, country=country, threshold=90, name_floor=85)
        hits += len(matches)
        if number in planted and any(match.entry_id == planted[number] for match in matches):
            found_planted += 1
    screened = time.perf_counter() - started

    sample = customers[:arguments.naive_sample]
    started = time.perf_counter()
    for name, country in sample:
        normalized = normalize_name(name)
        for party in parties:
            score_party(normalized, None, country, party)
    naive = (time.perf_counter() - started) * len(customers) / max(len(sample), 1)

    all_pairs = arguments.customers * arguments.entries
    print(f"mode: in memory, through apps.kyc.name_matching (threshold 90, name floor 85); seed {arguments.seed}")
    print(f"list: {arguments.entries:,} entries, {len(index.by_key):,} blocking keys, indexed in {indexed:.2f} s")
    print(f"customers: {arguments.customers:,} screened in {screened:.1f} s "
          f"({arguments.customers / screened:,.0f} customers/s)")
    print(f"candidate pairs compared: {index.pairs_compared:,} of {all_pairs:,} possible "
          f"({100 * index.pairs_compared / all_pairs:.2f}%, {index.pairs_compared / arguments.customers:.0f} "
          f"per customer)")
    print(f"hits: {hits:,}; planted variants found: {found_planted}/{len(planted)}")
    print(f"every pair (estimated from {len(sample):,} customers): {naive / 60:.0f} min")


if __name__ == "__main__":
    main()
