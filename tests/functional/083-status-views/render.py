#!/usr/bin/env python3
# tests/functional/083-status-views/render.py -- a status page's data from the views alone
#
#   render.py DB CTL-JSON-FILE    prints "same" when the data read with the sqlite3 command
#                                 (status_effective, status_records, status_region) says
#                                 what `meridianctl status --json` says, else the differences
# Only the sqlite3 command-line shell reads the database: what a status page written in
# any language could do, without the config.
import json
import subprocess
import sys


def view(db, sql):
    out = subprocess.run(["sqlite3", "-readonly", "-json", "-cmd", ".timeout 5000", db, sql],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []


def from_views(db):
    dcs = view(db, "SELECT * FROM status_effective")
    recs = view(db, "SELECT * FROM status_records")
    region = view(db, "SELECT * FROM status_region")
    page = {"datacenters": [], "fail_open": [], "region": None}
    for d in dcs:
        ovr = None
        if d["override_action"] is not None:
            ovr = {"action": d["override_action"], "reason": d["override_reason"],
                   "actor": d["override_actor"], "origin": d["override_origin"]}
        page["datacenters"].append({
            "name": d["datacenter"], "state": d["state"], "observed": d["observed"],
            "serving": bool(d["serving"]), "why": d["reason"],
            "votes": {"up": d["votes_up"], "down": d["votes_down"], "stale": d["votes_stale"]},
            "override": ovr})
    page["fail_open"] = [r["record"] for r in recs if r["fail_open"]]
    if region:
        page["region"] = {"name": region[0]["region"], "check": region[0]["level"],
                          "isolated": bool(region[0]["isolated"])}
    return page


def from_ctl(doc):
    page = {"datacenters": [], "fail_open": [f["record"] for f in doc["fail_open"]],
            "region": {"name": doc["region"], "check": doc["check"], "isolated": doc["isolated"]}}
    for d in doc["datacenters"]:
        o = d["override"]
        page["datacenters"].append({
            "name": d["name"], "state": d["state"], "observed": d["observed"],
            "serving": d["serving"], "why": d["why"], "votes": d["votes"],
            "override": None if o is None else {k: o[k] for k in ("action", "reason", "actor", "origin")}})
    return page


def main():
    a = from_views(sys.argv[1])
    b = from_ctl(json.load(open(sys.argv[2])))
    if a == b:
        print("same")
    else:
        print("views:", json.dumps(a, sort_keys=True))
        print("ctl:  ", json.dumps(b, sort_keys=True))


main()
