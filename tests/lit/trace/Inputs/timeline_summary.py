#!/usr/bin/env python3
"""Reads a JSON trace (trace event format) and prints what a viewer would show, for FileCheck:
the tracks by name, each slice with its track and duration, whether any track's slices overlap
without nesting (a viewer cannot draw that), the flows with both ends, and the instant count."""
import json
import sys

trace = json.load(open(sys.argv[1]))
events = trace["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
print("tracks:", ", ".join(names[tid] for tid in sorted(names)))
slices = sorted((e for e in events if e["ph"] == "X"), key=lambda e: (e["tid"], e["ts"]))
for e in slices:
    print("slice %s on %s at %.3f for %.3f us, out %d in %d"
          % (e["name"], names[e["tid"]], e["ts"], e["dur"], e["args"]["bytes_out"], e["args"]["bytes_in"]))
overlaps = 0
for a, b in zip(slices, slices[1:]):
    if a["tid"] == b["tid"] and b["ts"] < a["ts"] + a["dur"] and b["ts"] + b["dur"] > a["ts"] + a["dur"]:
        overlaps += 1
print("overlapping slices:", overlaps)
starts = {e["id"]: e for e in events if e["ph"] == "s"}
for e in (e for e in events if e["ph"] == "f"):
    start = starts.pop(e["id"])
    print("flow %s from %s at %.3f to %s at %.3f" % (e["name"], names[start["tid"]], start["ts"], names[e["tid"]], e["ts"]))
print("unfinished flows:", len(starts))
print("instants:", sum(1 for e in events if e["ph"] == "i"))
