"""Read-model lag: how long after a write's 201 the other register shows it.

For each sample a betrokkene is created for a partij (klantcontacten), and the partij
(relatiebeheer) is read until its `betrokkenen` holds it; likewise an address supplied by a
betrokkene (relatiebeheer) until `betrokkene.digitaleAdressen` holds it (klantcontacten). Prints
the median, p90 and maximum lag, and how often the very next request already saw it.

    python3 tests/bench/lag.py BASE_URL TOKEN [SAMPLES]
"""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

base, token = sys.argv[1], sys.argv[2]
samples = int(sys.argv[3]) if len(sys.argv) > 3 else 200
url = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(url.hostname, url.port)
headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}


def call(method, path, body=None):
    conn.request(method, url.path + "/" + path, json.dumps(body) if body is not None else None, headers)
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        sys.exit(f"{method} {path} answered {response.status}: {data[:300]!r}")
    return json.loads(data)


def measure(name, write, read, shows):
    lags, next_request = [], 0
    for _ in range(samples):
        created = write()
        written = time.perf_counter()
        polls = 0
        while True:
            polls += 1
            if shows(read(), created):
                break
            if time.perf_counter() - written > 10:
                sys.exit(f"{name}: not visible after 10 s")
        lags.append((time.perf_counter() - written) * 1000)
        next_request += polls == 1
    lags.sort()
    p90 = lags[int(len(lags) * 0.9) - 1]
    print(f"  {name:<44} median {statistics.median(lags):6.2f} ms   p90 {p90:6.2f} ms   "
          f"max {lags[-1]:7.2f} ms   on the next request {next_request}/{samples}")


partij = call("POST", "partijen", {"soortPartij": "persoon", "indicatieActief": True})
klantcontact = call("POST", "klantcontacten",
                    {"kanaal": "telefoon", "onderwerp": "lag", "taal": "nld", "vertrouwelijk": False})
betrokkene = {"hadKlantcontact": {"uuid": klantcontact["uuid"]}, "rol": "klant", "initiator": True}

print(f"read-model lag, {samples} samples each (write answered 201 -> visible in the other register)")
measure(
    "betrokkene -> partij.betrokkenen",
    lambda: call("POST", "betrokkenen", {**betrokkene, "wasPartij": {"uuid": partij["uuid"]}}),
    lambda: call("GET", f"partijen/{partij['uuid']}"),
    lambda shown, b: any(x["uuid"] == b["uuid"] for x in shown["betrokkenen"]),
)
supplier = call("POST", "betrokkenen", betrokkene)
measure(
    "digitaal adres -> betrokkene.digitaleAdressen",
    lambda: call("POST", "digitaleadressen", {"verstrektDoorBetrokkene": {"uuid": supplier["uuid"]},
                                             "adres": "lag@example.nl", "soortDigitaalAdres": "email"}),
    lambda: call("GET", f"betrokkenen/{supplier['uuid']}"),
    lambda shown, a: any(x["uuid"] == a["uuid"] for x in shown["digitaleAdressen"]),
)
