"""Process set-up that must happen before boto3 or moto is imported.

- The sandbox's identity: fake credentials, account 123456789012, us-east-1. Nothing here can
  reach a real AWS account: every call is answered in-process by moto.
- Speed: moto and boto3 decode ~40 large JSON data files on every start (service models,
  endpoints, EC2 instance types), some of them several times through new botocore Sessions.
  One shared loader, and decoded files kept in sandbox.cache, give the same data and save about
  a second of CPU on every start. Neither changes any behaviour.
"""

from __future__ import annotations

import os

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

#: Set for the whole sandbox session (restored afterwards by Session.close()).
SANDBOX_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "MOTO_ACCOUNT_ID": ACCOUNT_ID,
    # Powertools: no X-Ray daemon offline.
    "POWERTOOLS_TRACE_DISABLED": "true",
}
#: Removed for the session: they could point boto3 at a real account or endpoint.
UNSET_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")

_installed = False


def install_shared_loader() -> None:
    """One botocore data loader for every Session in the process, its JSON files read through
    sandbox.cache (idempotent).

    Each botocore Session otherwise builds its own loader and re-reads the same JSON files
    (endpoints, service models): moto creates several sessions while it imports and starts.
    The files never change while the process runs, so sharing the loader changes nothing but the
    time; and a decoded file is kept on disk between runs, keyed by its path, size and mtime.
    moto's own data files (EC2 instance types, read whenever moto.ec2 is imported) get the same.
    """
    global _installed
    if _installed:
        return
    import botocore.loaders
    import botocore.session

    original = botocore.loaders.create_loader
    loaders: dict[str | None, botocore.loaders.Loader] = {}

    def create_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
        if search_path_string not in loaders:
            loader = original(search_path_string)
            loader.file_loader = _CachedJSONFileLoader(loader.file_loader)
            loaders[search_path_string] = loader
        return loaders[search_path_string]

    botocore.session.create_loader = create_loader
    _cache_moto_resources()
    _installed = True


class _CachedJSONFileLoader:
    """botocore's JSONFileLoader, with decoded files kept in sandbox.cache."""

    def __init__(self, inner: object) -> None:
        self._inner = inner

    def exists(self, file_path: str) -> bool:
        return self._inner.exists(file_path)  # type: ignore[attr-defined]

    def load_file(self, file_path: str) -> object:
        from sandbox import cache

        for extension in (".json", ".json.gz"):  # botocore's order
            path = file_path + extension
            try:
                stat = os.stat(path)
            except OSError:
                continue
            entry = cache.key("botocore-data", path, str(stat.st_size), str(stat.st_mtime_ns))
            data = cache.load("data", entry)
            if data is None:
                data = self._inner.load_file(file_path)  # type: ignore[attr-defined]
                if data is not None:
                    cache.store("data", entry, data)
            return data
        return self._inner.load_file(file_path)  # type: ignore[attr-defined]


def _cache_moto_resources() -> None:
    """moto.utilities.utils.load_resource (its bundled JSON data) through sandbox.cache. Must run
    before moto.ec2 is imported: it binds the function when it is imported."""
    import moto
    import moto.utilities.utils as utilities

    from sandbox import cache

    original = utilities.load_resource

    def load_resource(resource: str) -> object:
        entry = cache.key("moto-resource", resource, moto.__version__)
        data = cache.load("data", entry)
        if data is None:
            data = original(resource)
            cache.store("data", entry, data)
        return data

    load_resource.__wrapped__ = original  # type: ignore[attr-defined]
    utilities.load_resource = load_resource


def prepare_environment() -> dict[str, str | None]:
    """Set the sandbox's environment; return the previous values to restore."""
    previous: dict[str, str | None] = {}
    for name, value in SANDBOX_ENV.items():
        previous[name] = os.environ.get(name)
        os.environ[name] = value
    for name in UNSET_ENV:
        previous[name] = os.environ.pop(name, None)
    return previous


def restore_environment(previous: dict[str, str | None]) -> None:
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
