"""moto 5.2.1 patches for photo-upload.moto.ts (loaded through startMoto({ pythonPath }) into that server only).

1. The input-transformer fix of moto-patches/sitecustomize.py (EventBridge's documented substitution rules).
2. S3's EventBridge notifications made to follow the documented event
   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html). moto's S3 does send `Object Created` to
   EventBridge when the bucket's EventBridgeConfiguration is on, but it
   * skips the targets' input transformers (``send_to_targets(event, transform_input=False)``): here they apply, as
     on AWS, where a rule's target gets the same input whatever put the event;
   * sends ``time`` as a Unix number: here an RFC 3339 string, as S3 sends it (whole seconds);
   * names the ETag ``eTag``: here ``etag``;
   * gives every event the same ``id`` (its template's): here a new UUID per S3 event;
   * has no ``ingestion-time``, which moto's transformer needs (a KeyError, swallowed: no target got anything);
   * would go to a target without input through moto's default template, which drops ``account`` (and needs a
     numeric time): here such a target gets the whole event, as on AWS.
   The event is fixed once, in place, before the first rule sees it, so that every rule and target sees the same
   event. moto's pattern matching, rules, targets and SQS are unchanged; events from PutEvents and archive replays
   are untouched.
"""
import calendar
import datetime
import os
import runpy
import time
import uuid

runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "moto-patches", "sitecustomize.py"))

try:
    import moto.events.models as _events_models
except Exception:  # moto not installed: nothing to patch
    _events_models = None

_MOTO_TEMPLATE_ID = "17793124-05d4-b198-2fde-7ededc63b103"


def _as_documented(event):
    if event.get("source") != "aws.s3" or "replay-name" in event:
        return False
    if isinstance(event.get("time"), (int, float)):
        event["time"] = datetime.datetime.fromtimestamp(event["time"], tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    obj = (event.get("detail") or {}).get("object") or {}
    if "eTag" in obj and "etag" not in obj:
        obj["etag"] = obj.pop("eTag")
    if event.get("id") == _MOTO_TEMPLATE_ID:
        event["id"] = str(uuid.uuid4())
    # What PutEvents adds (and moto's transformer reads); its default target input leaves it out.
    event.setdefault("ingestion-time", time.time())
    return True


if _events_models is not None:
    import moto.events.utils as _utils

    _transform = _utils.EventTemplateParser.parse

    def _parse(input_template, input_paths_map, event):
        # A target without input gets the whole event, as on AWS (moto's own default template would put the
        # RFC 3339 time unquoted into JSON, and drops `account`).
        if not input_template and event.get("source") == "aws.s3":
            return {k: v for k, v in event.items() if k != "ingestion-time"}
        return _transform(input_template, input_paths_map, event)

    _utils.EventTemplateParser.parse = staticmethod(_parse)

    _original_sqs = _events_models.Rule._send_to_sqs_queue

    def _send_to_sqs_queue(self, resource_id, event, group_id=None):
        # moto turns a numeric `time` of what it sends into RFC 3339 and fails on a string: give it the number of
        # an RFC 3339 time (whole seconds), which it renders back to the same string.
        if isinstance(event, dict) and isinstance(event.get("time"), str):
            try:
                parsed = datetime.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")
                event = dict(event, time=calendar.timegm(parsed.timetuple()))
            except ValueError:
                pass
        return _original_sqs(self, resource_id, event, group_id)

    _events_models.Rule._send_to_sqs_queue = _send_to_sqs_queue
    _original_send = _events_models.Rule.send_to_targets

    def _send_to_targets(self, original_event, transform_input=True):
        if _as_documented(original_event):
            transform_input = True
        return _original_send(self, original_event, transform_input)

    _events_models.Rule.send_to_targets = _send_to_targets
