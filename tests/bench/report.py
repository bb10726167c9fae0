"""The table of tests/bench/bench.sh: one row per read figure and number of clients, a column per
server, and the ratios; then the seed (writes) and the memory.

    report.py RESULTS PARTIJEN KLANTCONTACTEN SECONDS
"""

import json
import sys

FIGURES = {
    "lookup": "`GET /partijen?partijIdentificator__objectId=<bsn>`",
    "detail": "`GET /partijen/{uuid}?expand=digitaleAdressen,betrokkenen,betrokkenen.hadKlantcontact`",
    "partijen": "`GET /partijen?pageSize=100`",
    "klantcontacten": "`GET /klantcontacten?pageSize=100`",
}
# The production shape measured again with and without the Logboek, for its cost.
LOGBOEK = ("logged", "unlogged")
NAMES = {"embedded": "embedded (SQLite, one process)",
         "production": "production (PostgreSQL, three processes)",
         "openklant": "Open Klant 2.18"}


def ms(text):
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    return float(text)


def main():
    path, partijen, klantcontacten, seconds = sys.argv[1:5]
    reads, seeds, memory, servers, scaled = {}, {}, {}, [], None
    for line in open(path):
        server, kind, *rest = line.rstrip("\n").split("|")
        if server not in servers and server not in LOGBOEK:
            servers.append(server)
        if kind == "loaded":
            scaled = [int(x) for x in rest]
            NAMES["scaled"] = f"production at {scaled[0]:,} partijen, {scaled[1]:,} klantcontacten"
        elif kind == "seed":
            seeds[server] = json.loads(rest[0])
        elif "RSS" in kind or "PSS" in kind:
            memory.setdefault(server, {})[kind] = int(rest[0])
        else:
            clients, rps, p50, p99, errors = rest
            reads[(kind, clients, server)] = (float(rps or 0), ms(p50 or "0"), ms(p99 or "0"), int(errors))

    print(f"\n{partijen} partijen, {klantcontacten} klantcontacten; req/s (p50 / p99 ms), "
          f"{seconds} s per figure, servers taking turns\n")
    header = ["endpoint", "c"] + [NAMES[s] for s in servers]
    ratios = []
    if "embedded" in servers and "production" in servers:
        ratios.append(("production", "embedded", "production / embedded"))
    if "openklant" in servers:
        ratios += [(s, "openklant", f"{s} / Open Klant") for s in ("production", "embedded") if s in servers]
    header += [name for *_, name in ratios]
    if scaled:
        header.append("p50 latency at scale / at the seed's size")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for figure, title in FIGURES.items():
        for clients in ("1", "16"):
            cells = [title if clients == "1" else "", clients]
            for server in servers:
                rps, p50, p99, errors = reads.get((figure, clients, server), (0, 0, 0, 0))
                cell = f"{rps:,.0f} ({p50:.2f} / {p99:.2f})"
                cells.append(cell + (f" {errors} errors" if errors else ""))
            for a, b, _ in ratios:
                ra = reads.get((figure, clients, a), (0,))[0]
                rb = reads.get((figure, clients, b), (0,))[0]
                cells.append(f"{ra / rb:.1f}x" if rb else "-")
            if scaled:
                small = reads.get((figure, clients, "production"), (0, 0))[1]
                large = reads.get((figure, clients, "scaled"), (0, 0))[1]
                cells.append(f"{large / small:.2f}" if small else "-")
            print("| " + " | ".join(cells) + " |")

    if any(("lookup", "1", s) in reads for s in LOGBOEK):
        print("\nthe Logboek's cost on the production shape (every answer shows a person with a BSN, "
              "so every read writes a record), the two taking turns: req/s (p50 / p99 ms)\n")
        print("| endpoint | c | with the Logboek | without | with / without |")
        print("|---|---|---|---|---|")
        for figure in ("lookup", "detail"):
            for clients in ("1", "16"):
                on = reads.get((figure, clients, "logged"), (0, 0, 0, 0))
                off = reads.get((figure, clients, "unlogged"), (0, 0, 0, 0))
                ratio = f"{on[0] / off[0]:.2f}" if off[0] else "-"
                print(f"| {FIGURES[figure] if clients == '1' else ''} | {clients} "
                      f"| {on[0]:,.0f} ({on[1]:.2f} / {on[2]:.2f}) | {off[0]:,.0f} ({off[1]:.2f} / {off[2]:.2f}) "
                      f"| {ratio} |")

    if scaled:
        print(f"\nscale: the production shape's data multiplied in its databases (tests/bench/scale/) "
              f"in {scaled[2]} s")
    print("\nwrites: the seed through the API, one client with 8 threads")
    for server in servers:
        seed = seeds.get(server)
        if not seed:
            continue
        if not seed["seeded"]:
            print(f"  {NAMES[server]}: seeded before this run")
            continue
        latency = ", ".join(f"{k} p50 {v['p50']} ms p99 {v['p99']} ms" for k, v in seed["latency_ms"].items())
        print(f"  {NAMES[server]}: {seed['requests']:,} POSTs in {seed['seconds']} s "
              f"({seed['requests'] / seed['seconds']:,.0f}/s); {latency}")
    print("\nmemory of the server's processes together (the gateway apart): peak RSS is the sum of each "
          "one's peak resident set (pages they share counted in each); PSS counts a shared page once")
    for server in servers:
        if memory.get(server):
            values = ", ".join(f"{k} {v} MB" for k, v in memory[server].items())
            print(f"  {NAMES[server]}: {values}")


if __name__ == "__main__":
    main()
