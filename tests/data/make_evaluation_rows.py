#!/usr/bin/env python3
"""Derives tests/data/evaluation_rows.tsv from the evaluation table in the seed documents.

The integration tests check the built site against this file, so that every row of the
table (name, region, 承担单位, kind and the counts it states) is proven to be on the site.
Run: python3 tests/data/make_evaluation_rows.py ../shared/seeds/003_*.txt > tests/data/evaluation_rows.tsv
"""
import re
import sys

rows = {}
current = None
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("序号\t") or not line.strip():
        continue
    cells = line.split("\t")
    if re.match(r"^\d+$", cells[0]):
        current = int(cells[0])
        rows[current] = cells[1:] + [""] * (5 - len(cells[1:]))
    elif current is not None and line.startswith("\t"):
        # A page break split the row: each non-empty cell continues its column.
        for i, cell in enumerate(cells[1:]):
            # A name is complete once it ends in 试点; row 25's stray "点" belongs to
            # the kind column, wrapped in the PDF.
            complete = i == 1 and rows[current][i].strip().endswith("试点")
            if cell.strip() and not complete:
                rows[current][i] += cell.strip()

print("row\tregion\tname\tlead_unit\tkind\tcounts")
for n in sorted(rows):
    region, name, unit, kind, results = (c.strip() for c in rows[n][:5])
    name = re.sub(r"\s+", "", name)
    # Counts the table states as "N 项" (standards, items): the page must show each.
    counts = sorted({m for m in re.findall(r"(\d+)\s*项", results)}, key=int)
    print(f"{n}\t{region}\t{name}\t{unit}\t{kind}\t{';'.join(counts)}")
