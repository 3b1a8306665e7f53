#!/usr/bin/env python3
"""Builds catalog/communes.tsv, catalog/departements.tsv and
catalog/regions.tsv from the official list of communes (COG) as published
in the JSON files of the npm package @etalab/decoupage-administratif
(Licence Ouverte 2.0). relais ships the result; run this again when a new
edition of the COG comes out:

    scripts/communes.py DIR_WITH_communes.json [EDITION]
"""
import json
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/reference/data/communes"
edition = sys.argv[2] if len(sys.argv) > 2 else "COG 2026, @etalab/decoupage-administratif 6.0.0"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "catalog")


def load(name):
    with open(os.path.join(src, name), encoding="utf-8") as f:
        return json.load(f)


def clean(s):
    return s.replace("\t", " ").replace("\n", " ").strip()


header = (
    f"# Source: official list of French communes ({edition}), "
    "Licence Ouverte 2.0; built by scripts/communes.py\n"
)
regions = sorted(load("regions.json"), key=lambda r: r["code"])
with open(os.path.join(out, "regions.tsv"), "w", encoding="utf-8") as f:
    f.write(header)
    f.write("code\tname\n")
    for r in regions:
        f.write(f"{r['code']}\t{clean(r['nom'])}\n")
deps = sorted(load("departements.json"), key=lambda d: d["code"])
with open(os.path.join(out, "departements.tsv"), "w", encoding="utf-8") as f:
    f.write(header)
    f.write("code\tname\tregion\n")
    for d in deps:
        f.write(f"{d['code']}\t{clean(d['nom'])}\t{d.get('region', '')}\n")
rows = []
for c in load("communes.json"):
    kind = {"commune-actuelle": "c", "arrondissement-municipal": "a"}.get(c["type"])
    if kind is None:
        continue
    rows.append(
        (
            c["code"],
            clean(c["nom"]),
            kind,
            c.get("departement", ""),
            c.get("region", ""),
            " ".join(c.get("codesPostaux", [])),
            str(c.get("population", 0)),
        )
    )
rows.sort()
with open(os.path.join(out, "communes.tsv"), "w", encoding="utf-8") as f:
    f.write(header)
    f.write("insee\tname\ttype\tdepartement\tregion\tpostcodes\tpopulation\n")
    for r in rows:
        f.write("\t".join(r) + "\n")
print(f"{len(rows)} communes, {len(deps)} départements, {len(regions)} régions")
