"""Fix moto 5.2.1's EventBridge input transformer; loaded by stacks.moto.ts through startMoto({ pythonPath }).

Python imports ``sitecustomize`` at start-up, before ``moto_server.py`` runs, so this patches moto for that server
only. moto's ``EventTemplateParser.parse`` inserts every value as raw text: ``{"bookingId": <id>}`` becomes
``{"bookingId": BK-1}`` (invalid JSON, so the whole PutEvents call fails with HTTP 500), a list of objects becomes a
list of JSON strings, and a missing path or a falsy value (``0``, ``""``) leaves ``<id>`` in the output. The
replacement follows EventBridge's documented rules
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html):

* in a JSON template (first non-blank character ``{``), a placeholder outside a JSON string is replaced by the value
  as JSON (a string gets its quotes); inside a JSON string, a string is inserted as is (EventBridge does not escape
  it) and other values as their JSON text;
* a path that matches nothing gives an empty value (``""`` as a bare JSON value, nothing inside a string);
* other templates are text, values inserted as in a JSON string.

Only targets with an ``InputTemplate`` are affected: without one (the whole event, and moto's archive rules) moto's
own code runs unchanged. Pattern matching, rules, targets and SQS are moto's.
"""
import json
import re

try:
    import moto.events.utils as _utils
except Exception:  # moto not installed: nothing to patch
    _utils = None

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


def _json(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _text(value):
    return value if isinstance(value, str) else _json(value)


def _substitute(template, values, is_json):
    out = []
    in_string = False
    i = 0
    n = len(template)
    while i < n:
        c = template[i]
        if is_json and c == "\\" and in_string:
            out.append(template[i:i + 2])
            i += 2
            continue
        if is_json and c == '"':
            in_string = not in_string
            out.append(c)
            i += 1
            continue
        if c == "<":
            m = _PLACEHOLDER.match(template, i)
            if m and m.group(1) in values:
                found, value = values[m.group(1)]
                if is_json and not in_string:
                    out.append(_json(value) if found else '""')
                else:
                    out.append(_text(value) if found else "")
                i = m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


if _utils is not None:
    _original_parse = _utils.EventTemplateParser.parse

    def _parse(input_template, input_paths_map, event):
        if not input_template:
            return _original_parse(input_template, input_paths_map, event)
        from jsonpath_ng.ext import parse as jsonpath

        values = {}
        for name, path in (input_paths_map or {}).items():
            matches = jsonpath(path).find(event)
            values[name] = (True, matches[0].value) if matches else (False, None)
        values.setdefault("aws.events.event.json", (True, event))
        values.setdefault("aws.events.event.ingestion-time", (True, event.get("ingestion-time")))
        is_json = input_template.lstrip().startswith("{")
        result = _substitute(input_template, values, is_json)
        try:
            return json.loads(result)
        except ValueError:
            return result

    _utils.EventTemplateParser.parse = staticmethod(_parse)
