"""A canned AWS endpoint on localhost, so a handler's first invocation makes its real SDK calls
(client creation, signing, HTTP, parsing) in a fresh process without moto or a network.

Answers just what the four steps call: S3 GetObject/ListObjectsV2, Bedrock CreateCustomModel/
GetCustomModel, SNS Publish and DynamoDB UpdateItem/GetItem.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

MODEL_ARN = "arn:aws:bedrock:us-east-1:123456789012:custom-model/imported/nova-micro-demo"
MANIFEST = b"{}\n"  # no source: the trigger's own folder, an open-weight model (the validator's longest path)
CONFIG = b'{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}'
FOLDER = ("config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors", "manifest.json")


def _list_objects(prefix: str) -> bytes:
    keys = [prefix + name for name in FOLDER]
    contents = "".join(
        f"<Contents><Key>{k}</Key><LastModified>2026-11-27T14:00:00.000Z</LastModified>"
        f'<ETag>"0"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>'
        for k in keys
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        f"<Name>bucket</Name><Prefix>{prefix}</Prefix><KeyCount>{len(keys)}</KeyCount><MaxKeys>1000</MaxKeys>"
        f"<IsTruncated>false</IsTruncated>{contents}</ListBucketResult>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per response: headers and body in separate segments stall 40 ms on delayed ACKs
    disable_nagle_algorithm = True

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "stub")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path.startswith("/custom-models/"):
            body = {"modelArn": MODEL_ARN, "modelName": "nova-micro-demo", "creationTime": "2026-11-27T14:00:00Z",
                    "modelStatus": "Creating"}
            self._send(200, json.dumps(body).encode(), "application/json")
        elif query.get("list-type") == ["2"]:
            self._send(200, _list_objects(query.get("prefix", [""])[0]), "application/xml")
        else:
            self._send(200, CONFIG if url.path.endswith("/config.json") else MANIFEST, "application/json",
                       {"ETag": '"0"', "Last-Modified": "Fri, 27 Nov 2026 14:00:00 GMT", "x-amz-version-id": "v1"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        if target.startswith("DynamoDB_"):
            self._send(200, b"{}", "application/x-amz-json-1.0")
        elif unquote(urlsplit(self.path).path) == "/custom-models/create-custom-model":
            self._send(202, json.dumps({"modelArn": MODEL_ARN}).encode(), "application/json")
        elif b"Action=Publish" in raw:
            self._send(200, (
                '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
                "<MessageId>00000000-0000-0000-0000-000000000000</MessageId></PublishResult>"
                "<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></PublishResponse>"
            ).encode(), "text/xml")
        else:
            self._send(400, b'{"message": "not stubbed"}', "application/json")


class StubAws:
    """`with StubAws() as url:` serves on an ephemeral localhost port until the block ends."""

    def __enter__(self) -> str:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
