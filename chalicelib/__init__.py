"""The orders service's code: domain, services, adapters and entry points."""

import os

# We use no pydantic plugins; without this, pydantic scans every installed package's
# entry points for them when the first model is defined, which costs a cold start ~8 ms.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
