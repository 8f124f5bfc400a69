#!/usr/bin/env python3
"""Signs requests with botocore, for botocore_crosscheck_test.cpp.

Usage: botocore_sign.py IN OUT

IN holds one JSON object a line (written by the gtest). Each is signed with the time frozen at
its "epoch" (seconds, float) by one of botocore's signers:
  "s3"      S3SigV4Auth       (Authorization header, S3 path rules, X-Amz-Content-SHA256 added)
  "presign" S3SigV4QueryAuth  (presigned URL)
  "generic" SigV4Auth         (Authorization header, path normalised and encoded again)
OUT gets one line a request: "<id>\t<result>\t<canonical request, '\\' and newline escaped>",
where <result> is the Authorization header, or for "presign" the query string botocore built.

The request is handed to botocore the way botocore's own clients build it: the path is
percent-encoded here (safe "/~", as botocore's REST serializer does for S3 keys), the query goes
in as params, the host comes from the URL. Nothing of the C++ encoder is reused.
"""

import datetime
import json
import sys
import types

try:
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode
except ImportError as e:  # pragma: no cover - environment problem, reported to the gtest
    sys.exit(f"botocore_sign.py: cannot import botocore ({e}); "
             "install it with: apt-get install -y --no-install-recommends python3-botocore")

_frozen = [datetime.datetime(2000, 1, 1)]


class _FrozenDateTime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return _frozen[0]

    @classmethod
    def now(cls, tz=None):
        return _frozen[0] if tz is None else _frozen[0].replace(tzinfo=tz)


def _freeze_botocore_clock():
    # botocore.auth reads the time through datetime.datetime.utcnow() (Debian's 1.29) or
    # get_current_datetime() (newer releases); both are pointed at _frozen.
    botocore.auth.datetime = types.SimpleNamespace(
        datetime=_FrozenDateTime, timezone=datetime.timezone)
    if hasattr(botocore.auth, "get_current_datetime"):
        botocore.auth.get_current_datetime = lambda *a, **k: _frozen[0]


class _Capture:
    """Mixin that remembers the canonical request botocore signed."""

    def canonical_request(self, request):
        self.last_canonical_request = super().canonical_request(request)
        return self.last_canonical_request


class S3Auth(_Capture, botocore.auth.S3SigV4Auth):
    pass


class S3QueryAuth(_Capture, botocore.auth.S3SigV4QueryAuth):
    pass


class GenericAuth(_Capture, botocore.auth.SigV4Auth):
    pass


def _sign(case):
    _frozen[0] = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=case["epoch"])
    creds = Credentials(case["access_key"], case["secret_key"], case["token"] or None)
    url = f'{case["scheme"]}://{case["host"]}{percent_encode(case["path"], safe="/~")}'
    kind = case["kind"]
    if kind == "presign":
        auth = S3QueryAuth(creds, case["service"], case["region"], expires=case["expires"])
        request = AWSRequest(method=case["method"], url=url,
                             params={k: v for k, v in case["query"]})
    else:
        auth_class = S3Auth if kind == "s3" else GenericAuth
        auth = auth_class(creds, case["service"], case["region"])
        request = AWSRequest(method=case["method"], url=url,
                             data=case["body"].encode("utf-8"),
                             params=[(k, v) for k, v in case["query"]])
        for name, value in case["headers"]:
            request.headers[name] = value  # HTTPHeaders appends: repeated names stay repeated
        if case["unsigned"]:
            request.context["client_config"] = types.SimpleNamespace(
                s3={"payload_signing_enabled": False})
    auth.add_auth(request)
    if kind == "presign":
        result = request.url.split("?", 1)[1]
    else:
        result = request.headers["Authorization"]
    creq = auth.last_canonical_request.replace("\\", "\\\\").replace("\n", "\\n")
    return f'{case["id"]}\t{result}\t{creq}\n'


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: botocore_sign.py IN OUT")
    _freeze_botocore_clock()
    with open(sys.argv[1], encoding="utf-8") as src, \
            open(sys.argv[2], "w", encoding="utf-8", newline="") as dst:
        dst.write(f"# botocore {botocore.__version__}\n")
        for line in src:
            if line.strip():
                dst.write(_sign(json.loads(line)))


if __name__ == "__main__":
    main()
