"""Seeds a Klantinteracties server through its public API, the same way for every server (ours in
either shape, or Open Klant), and writes what the read scenarios look for.

    seed.py BASE_URL TOKEN PARTIJEN KLANTCONTACTEN CLIENTS OUT_DIR

Each partij is a persoon with a BSN and an e-mail address (two POSTs: the address, then the
partij naming it); each klantcontact has a betrokkene that was one of those partijen (two POSTs).
A server that has the partijen and klantcontacten already is not seeded again: their uuids and
BSNs are read from its lists. Writes `partijen.txt`, `bsns.txt` and `klantcontacten.txt` in
OUT_DIR and prints one line of JSON: how long the seed took and the latency of each kind of POST.
"""

import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse


def valid_bsn(i):
    """The first BSN that passes the 11-proef in block i of 100 (unique per i)."""
    n = 100000000 + i * 100
    while True:
        s = f"{n:09d}"
        if (sum((9 - k) * int(s[k]) for k in range(8)) - int(s[8])) % 11 == 0:
            return s
        n += 1


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, base, token):
        url = urllib.parse.urlsplit(base)
        self.host, self.port, self.path = url.hostname, url.port or 80, url.path.rstrip("/")
        self.headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.local = threading.local()

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(3):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                started = time.perf_counter()
                conn.request(method, self.path + path, body=data, headers=self.headers)
                response = conn.getresponse()
                payload = response.read()
                return response.status, payload, time.perf_counter() - started
            except (http.client.HTTPException, OSError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    def created(self, path, body, kind, latencies):
        status, payload, seconds = self.request("POST", path, body)
        if status != 201:
            raise RuntimeError(f"{kind}: {status} {payload[:300]!r}")
        latencies[kind].append(seconds)
        return json.loads(payload)["uuid"]

    def count(self, path):
        status, payload, _ = self.request("GET", f"{path}?pageSize=1")
        return json.loads(payload)["count"] if status == 200 else 0

    def every(self, path, take):
        """`take(object)` of every object of a list, 100 per page."""
        out, page = [], 1
        while True:
            status, payload, _ = self.request("GET", f"{path}?page={page}&pageSize=100")
            if status != 200:
                return out
            body = json.loads(payload)
            out.extend(take(o) for o in body["results"])
            if not body.get("next"):
                return out
            page += 1


def persoon(i, bsn, adres):
    return {
        "soortPartij": "persoon",
        "indicatieActief": True,
        "indicatieGeheimhouding": False,
        "voorkeurstaal": "dut",
        "interneNotitie": f"bench partij {i}",
        "digitaleAdressen": [{"uuid": adres}],
        "rekeningnummers": [],
        "voorkeursDigitaalAdres": None,
        "voorkeursRekeningnummer": None,
        "bezoekadres": {
            "nummeraanduidingId": "0363200000000001",
            "straatnaam": "Straat",
            "huisnummer": 10,
            "huisnummertoevoeging": "A",
            "postcode": "1008 DG",
            "stad": "Amsterdam",
            "adresregel1": "",
            "adresregel2": "",
            "adresregel3": "",
            "land": "NL",
        },
        "partijIdentificatie": {
            "contactnaam": {
                "voorletters": "P",
                "voornaam": f"Piet{i}",
                "voorvoegselAchternaam": "van",
                "achternaam": f"Bench{i}",
            }
        },
        "partijIdentificatoren": [
            {
                "partijIdentificator": {
                    "codeObjecttype": "natuurlijk_persoon",
                    "codeSoortObjectId": "bsn",
                    "objectId": bsn,
                    "codeRegister": "brp",
                }
            }
        ],
    }


def in_parallel(clients, count, work):
    """Runs `work(i)` for every i below `count` on `clients` threads; the first error stops it."""
    counter = iter(range(count))
    lock = threading.Lock()
    errors = []

    def worker():
        while not errors:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                work(i)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"seeding failed: {errors[0]}")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round((len(values) - 1) * p)))] * 1000


def main():
    base, token, n_partijen, n_klantcontacten, clients, out = sys.argv[1:7]
    n_partijen, n_klantcontacten, clients = int(n_partijen), int(n_klantcontacten), int(clients)
    client = Client(base, token)
    latencies = {"digitaaladres": [], "partij": [], "klantcontact": [], "betrokkene": []}
    seeded = client.count("/partijen") < n_partijen
    started = time.perf_counter()
    if seeded:
        partijen = [None] * n_partijen
        bsns = [valid_bsn(i) for i in range(n_partijen)]

        def partij(i):
            adres = client.created(
                "/digitaleadressen",
                {
                    "verstrektDoorBetrokkene": None,
                    "verstrektDoorPartij": None,
                    "soortDigitaalAdres": "email",
                    "adres": f"persoon{i}@example.com",
                    "omschrijving": "e-mail",
                    "referentie": "bench",
                },
                "digitaaladres",
                latencies,
            )
            partijen[i] = client.created("/partijen", persoon(i, bsns[i], adres), "partij", latencies)

        in_parallel(clients, n_partijen, partij)
        klantcontacten = [None] * n_klantcontacten

        def klantcontact(i):
            uuid = client.created(
                "/klantcontacten",
                {
                    "kanaal": "telefoon",
                    "onderwerp": f"onderwerp {i}",
                    "inhoud": "inhoud van het contact",
                    "indicatieContactGelukt": True,
                    "taal": "dut",
                    "vertrouwelijk": False,
                    "plaatsgevondenOp": "2026-01-01T12:00:00Z",
                },
                "klantcontact",
                latencies,
            )
            client.created(
                "/betrokkenen",
                {
                    "hadKlantcontact": {"uuid": uuid},
                    "wasPartij": {"uuid": partijen[i % n_partijen]},
                    "contactnaam": {
                        "voorletters": "P",
                        "voornaam": "Piet",
                        "voorvoegselAchternaam": "",
                        "achternaam": "Bench",
                    },
                    "rol": "klant",
                    "initiator": True,
                    "organisatienaam": "",
                },
                "betrokkene",
                latencies,
            )
            klantcontacten[i] = uuid

        in_parallel(clients, n_klantcontacten, klantcontact)
    else:
        bsn_of = lambda p: next(  # noqa: E731
            (
                i["partijIdentificator"]["objectId"]
                for i in p.get("partijIdentificatoren", [])
                if i["partijIdentificator"]["codeSoortObjectId"] == "bsn"
            ),
            None,
        )
        found = client.every("/partijen", lambda p: (p["uuid"], bsn_of(p)))
        partijen = [u for u, b in found if b]
        bsns = [b for _, b in found if b]
        klantcontacten = client.every("/klantcontacten", lambda k: k["uuid"])
    seconds = time.perf_counter() - started
    for name, values in (("partijen", partijen), ("bsns", bsns), ("klantcontacten", klantcontacten)):
        with open(f"{out}/{name}.txt", "w") as f:
            f.write("\n".join(values) + "\n")
    print(
        json.dumps(
            {
                "seeded": seeded,
                "requests": sum(len(v) for v in latencies.values()),
                "seconds": round(seconds, 1),
                "latency_ms": {
                    kind: {
                        "p50": round(statistics.median(v) * 1000, 2),
                        "p99": round(percentile(v, 0.99), 2),
                    }
                    for kind, v in latencies.items()
                    if v
                },
            }
        )
    )


if __name__ == "__main__":
    main()
