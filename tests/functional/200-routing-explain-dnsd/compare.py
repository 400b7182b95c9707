#!/usr/bin/env python3
# compare.py -- the 200-routing-explain-dnsd checks that read many answers at once
#
#   compare.py clients DB N SEED > CLIENTS          "RECORD CLIENT/PREFIX" lines
#   compare.py queries CLIENTS > QUERIES            the dnsq.py lines (A and AAAA each)
#   compare.py diff CLIENTS EXPLAIN-DIR ANSWERS     explain --batch vs dnsd: prints
#        "compared N mismatches M" and the reasons seen ("reason weight 1234"), then up
#        to 5 mismatches; EXPLAIN-DIR holds RECORD.jsonl per record
#   compare.py siblings ANSWERS N SEED KEYS > QUERIES   for N answers, a query from
#        another address inside the answer's ECS scope (it must get the same answer);
#        KEYS gets the original queries, line by line
#   compare.py same ANSWERS KEYS SIBLING-ANSWERS   "same N differ M"
#   compare.py split ANSWERS W1,W2,... DC1,DC2,...  shares of A answers by datacenter
#        address prefix, as "DC share" lines, and the largest distance from the weights
#   compare.py moved BEFORE AFTER RAISED-PREFIX     answers that changed, and how many
#        of them did not move into RAISED (whose addresses start with RAISED-PREFIX)
import ipaddress
import json
import random
import sys

# The test databases' networks (tests/data/make-test-mmdb.pl): clients inside them are
# located; the rest of the samples fall anywhere.
TEST_CITY_NETS = ["1.128.0.0/11", "111.235.160.0/24", "175.16.199.0/24", "186.30.236.0/24",
                  "2001:218::/32", "202.196.224.0/20", "217.65.48.0/24", "2600:1f00::/24",
                  "2804:1::/32", "2a02:cf40::/30", "2a02:cf44::/30", "2c0f:ff40::/26",
                  "41.0.0.0/24", "50.114.0.0/16", "67.43.156.0/24", "81.2.69.0/24",
                  "89.160.20.0/24", "10.0.0.0/8"]
RECORDS = ["w.example.com.", "e.example.com.", "c.example.com.", "p.example.com."]


def random_in(rng, net):
    n = ipaddress.ip_network(net)
    return n.network_address + rng.randrange(n.num_addresses)


def clients(db, count, seed):
    rng = random.Random(seed)
    for i in range(count):
        v6 = rng.random() < 0.3
        if db == "city" and rng.random() < 0.6:
            addr = random_in(rng, rng.choice(TEST_CITY_NETS))
            v6 = addr.version == 6
        elif db == "synth" and rng.random() < 0.1:
            addr = random_in(rng, "10.0.0.0/8")  # the nets entry
            v6 = False
        elif v6:
            addr = random_in(rng, "2400::/6" if db == "synth" else "2000::/3")
        else:
            addr = ipaddress.ip_address(rng.randrange(1 << 24, 224 << 24))
        prefix = rng.choice([128, 64, 56, 48, 32] if v6 else [32, 28, 24, 22, 16])
        net = ipaddress.ip_network("%s/%d" % (addr, prefix), strict=False)
        print(RECORDS[i % len(RECORDS)], "%s/%d" % (net.network_address, prefix))


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def read_clients(path):
    with open(path) as f:
        return [l.split() for l in f if l.strip()]


def diff(clients_path, explain_dir, answers_path):
    cl = read_clients(clients_path)
    answers = {a["q"]: a for a in load_jsonl(answers_path)}
    per_record = {r: iter(load_jsonl("%s/%s.jsonl" % (explain_dir, r))) for r in RECORDS}
    compared = mismatches = 0
    reasons = {}
    shown = []
    for rec, client in cl:
        ex = next(per_record[rec])
        for qtype in ("A", "AAAA"):
            got = answers["%s %s %s" % (rec, qtype, client)]
            want = ex[qtype]
            compared += 1
            if want is None:
                ok = got["rcode"] == 0 and got["addresses"] == []
            else:
                for r in want["reasons"]:
                    reasons[r] = reasons.get(r, 0) + 1
                ok = (got["addresses"] == want["addresses"] and got["ttl"] == want["ttl"] and
                      got["scope"] == want["scope"])
            if not ok:
                mismatches += 1
                if len(shown) < 5:
                    shown.append("%s %s %s: explain %s, dnsd %s" % (rec, qtype, client,
                                                                   json.dumps(want), json.dumps(got)))
    print("compared %d mismatches %d" % (compared, mismatches))
    for r in sorted(reasons):
        print("reason %s %d" % (r, reasons[r]))
    for s in shown:
        print("# " + s)


def siblings(answers_path, count, seed, keys_path):
    rng = random.Random(seed)
    picked = [a for a in load_jsonl(answers_path) if a["addresses"] and a["scope"] is not None]
    rng.shuffle(picked)
    with open(keys_path, "w") as keys:
        for a in picked[:count]:
            rec, qtype, client = a["q"].split()
            net = ipaddress.ip_network(client, strict=False)
            full = net.max_prefixlen
            keep = min(a["scope"], full)
            # the address the query carried (zero past its prefix), random past the scope
            base = int(net.network_address)
            mask = ((1 << full) - 1) ^ ((1 << (full - keep)) - 1)
            other = (base & mask) | (rng.randrange(1 << (full - keep)) if keep < full else 0)
            addr = ipaddress.ip_address(other) if full == 128 else ipaddress.IPv4Address(other)
            print(rec, qtype, "%s/%d" % (addr, full))
            keys.write(a["q"] + "\n")


def same(answers_path, keys_path, sibling_path):
    answers = {a["q"]: a for a in load_jsonl(answers_path)}
    with open(keys_path) as f:
        keys = [l.strip() for l in f if l.strip()]
    sib = load_jsonl(sibling_path)
    n = differ = 0
    for k, s in zip(keys, sib):
        n += 1
        if answers[k]["addresses"] != s["addresses"]:
            differ += 1
            if differ <= 5:
                print("# %s: %s, but %s: %s" % (k, answers[k]["addresses"], s["q"],
                                                s["addresses"]))
    print("same %d differ %d" % (n - differ, differ))


def split(answers_path, weights, prefixes):
    weights = [float(w) for w in weights.split(",")]
    prefixes = prefixes.split(",")
    counts = [0] * len(prefixes)
    total = 0
    for a in load_jsonl(answers_path):
        if not a["addresses"]:
            continue
        total += 1
        for i, p in enumerate(prefixes):
            if a["addresses"][0].startswith(p):
                counts[i] += 1
    worst = 0.0
    for i, p in enumerate(prefixes):
        share = 100.0 * counts[i] / max(total, 1)
        want = 100.0 * weights[i] / sum(weights)
        worst = max(worst, abs(share - want))
        print("%s %.2f%% (weight %.2f%%)" % (p, share, want))
    print("networks %d worst %.2f" % (total, worst))


def moved(before_path, after_path, raised):
    before = load_jsonl(before_path)
    after = load_jsonl(after_path)
    moved = wrong = 0
    for b, a in zip(before, after):
        if b["addresses"] != a["addresses"]:
            moved += 1
            if not (a["addresses"] and a["addresses"][0].startswith(raised)):
                wrong += 1
    print("moved %d elsewhere %d" % (moved, wrong))


def main():
    cmd = sys.argv[1]
    if cmd == "clients":
        clients(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "queries":
        for rec, client in read_clients(sys.argv[2]):
            print(rec, "A", client)
            print(rec, "AAAA", client)
    elif cmd == "diff":
        diff(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "siblings":
        siblings(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif cmd == "same":
        same(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "split":
        split(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "moved":
        moved(sys.argv[2], sys.argv[3], sys.argv[4])


if __name__ == "__main__":
    main()
