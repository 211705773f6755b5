#!/usr/bin/env python3
"""Print the key table of src/keys.c as a README (markdown) or man page (mdoc) section.

Usage: scripts/keys-doc.py md|man  — paste the output into README.md / man/proftui.1;
tests/test_keys.c checks that both list every binding.
"""
import re
import sys

NAMES = {"KS_GLOBAL": "Everywhere", "KS_TOP": "Hot functions",
         "KS_TREE": "Call tree", "KS_FLAME": "Flame graph",
         "KS_STRIP": "Picking a time range (r)"}


def main():
    src = open("src/keys.c", encoding="utf-8").read()
    rows = re.findall(r'\{ (KS_\w+), "([^"]*)", "([^"]*)" \}', src)
    out, cur = [], None
    man = sys.argv[1:] == ["man"]
    for scope, keys, action in rows:
        if scope != cur:
            if man:
                if cur:
                    out.append(".El")
                out += [".Ss " + NAMES[scope], ".Bl -tag -width Ds"]
            else:
                if cur:
                    out.append("")
                out += ["**" + NAMES[scope] + "**", "", "| keys | action |", "|---|---|"]
            cur = scope
        if man:
            out += ['.It Li "' + keys + '"', action.replace("\\", "\\e")]
        else:
            out.append("| `" + keys + "` | " + action + " |")
    if man and cur:
        out.append(".El")
    print("\n".join(out))


main()
