"""Start moto's server after patching a moto bug found in 5.2.1 and still present in 5.2.6 (requirements-dev.txt).

Stock moto gives ``AWS::Events::Rule`` with ``EventBusName: {Ref: Bus}`` an HTTP 500, because moto's
``EventBus`` model has no ``physical_resource_id`` and ``Ref`` resolves to the Python object.

Usage: python3 test/moto/moto_server.py -H 127.0.0.1 -p 5055
"""
import sys

import moto.events.models as events_models

if not hasattr(events_models.EventBus, "physical_resource_id"):
    events_models.EventBus.physical_resource_id = property(lambda self: self.name)

from moto.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
