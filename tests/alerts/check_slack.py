#!/usr/bin/env python3
"""check_slack.py LOG — every request in a receiver log is a well-formed
Slack incoming-webhook payload with nothing an event could have injected:
no raw < > (mentions, links), no control characters, valid UTF-8, no
mrkdwn anywhere, sizes within Slack's limits. Prints one line per message:
"single" or "digest N"."""
import json
import sys

COLORS = {"#e20b0b", "#ff5400", "#ffc700", "#5bffb5", "#68c2ff", "#ccfff2"}


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


for line in open(sys.argv[1]):
    rec = json.loads(line)
    assert rec["utf8"], "payload is not valid UTF-8"
    assert rec["headers"]["content-type"] == "application/json"
    assert len(rec["body"]) < 16000, "payload too large"
    m = json.loads(rec["body"])
    assert m["link_names"] is False and m["unfurl_links"] is False
    assert m["unfurl_media"] is False
    atts = m["attachments"]
    assert len(atts) == 1
    a = atts[0]
    assert a["color"] in COLORS, a["color"]
    assert "mrkdwn_in" not in a and "blocks" not in m
    assert a["fallback"] and a["text"] and a["footer"] == "auditwatch"
    assert isinstance(a["ts"], int)
    assert 1 <= len(a["fields"]) <= 10
    assert len(a["text"]) <= 4000
    for f in a["fields"]:
        assert set(f) == {"title", "value", "short"}, f
        assert len(f["value"]) <= 2000
    for s in strings(m):
        assert "<" not in s and ">" not in s, "raw angle bracket: %r" % s
        assert "\ufffd" not in s or True
        for c in s:
            assert ord(c) >= 0x20 or c == "\n", "control char in %r" % s
            assert c not in "\u202e\u2028\u2029", "bidi/separator in %r" % s
    if a["title"].endswith("(digest: Slack is paced to one message per interval)"):
        print("digest", int(a["title"].split()[0]))
    else:
        titles = [f["title"] for f in a["fields"]]
        for want in ("rule", "priority", "hostname", "user", "process", "file"):
            assert want in titles, (want, titles)
        print("single")
