#!/usr/bin/env python3
"""Generates a large `exercise` responses file for timing (issue 12, task 3).

usage: benches/exercise_responses.py VIGNETTES.csv OUT.csv [TRAINEES] [--phases]

Every trainee answers every vignette of the pack (ids from the `id` column of
VIGNETTES.csv) with a level id of rules/continuum.thr, pseudo-randomly but
reproducibly (seed 2026). 50,000 trainees x 20 vignettes = 1 M answers.
With --phases each trainee answers twice (pre and post): 2 M rows.
Trainee names are synthetic (`trainee00001`); nothing here is personal data.
"""
import csv
import random
import sys

LEVELS = ["universal", "early_help", "targeted", "specialist"]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    phases = ["pre", "post"] if "--phases" in sys.argv else [None]
    vignettes_path, out_path = args[0], args[1]
    trainees = int(args[2]) if len(args) > 2 else 50_000
    with open(vignettes_path, newline="") as f:
        ids = [row["id"] for row in csv.DictReader(f)]
    rng = random.Random(2026)
    with open(out_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["trainee", "vignette", "level"] + (["phase"] if phases[0] else []))
        for phase in phases:
            for t in range(1, trainees + 1):
                for v in ids:
                    row = [f"trainee{t:05}", v, rng.choice(LEVELS)]
                    w.writerow(row + ([phase] if phase else []))


if __name__ == "__main__":
    main()
