"""A stand-in OpenID Connect provider on 127.0.0.1, in the part Microsoft Entra ID plays for NHS and
council staff: discovery document, authorisation (it signs in `person` at once, no form), token and
signing keys. The ID token is a real RS256-signed JWT, so Streamlit's st.login checks it as it would
a real provider's (signature, issuer, audience, nonce, expiry)."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "recovery-pathways-test"
CLIENT_SECRET = "not-a-real-client-secret"


class FakeProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.person = {"sub": "entra-0001", "email": "Sam.Jones@Council.example.gov.uk", "name": "Sam Jones"}
        self.signed_in_seconds_ago = 0  # the ID token's iat: how long ago the provider vouched for them
        self.sign_ins = 0
        self._nonces: dict[str, str | None] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def secrets_toml(self, app_base: str) -> str:
        """The app's `[auth]` section, as a deployment's secrets.toml would hold it."""
        return (f'[auth]\nredirect_uri = "{app_base}/oauth2callback"\ncookie_secret = "{secrets.token_hex(16)}"\n'
                f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
                f'server_metadata_url = "{self.base}/.well-known/openid-configuration"\n')

    def _metadata(self) -> dict:
        return {"issuer": self.base, "authorization_endpoint": f"{self.base}/authorize",
                "token_endpoint": f"{self.base}/token", "jwks_uri": f"{self.base}/keys",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"]}

    def _id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {**self.person, "iss": self.base, "aud": CLIENT_ID, "iat": now - self.signed_in_seconds_ago,
                  "exp": now + 3600}
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet test output
                pass

            def _json(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider._metadata())
                elif url.path == "/keys":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize" and query.get("client_id") == CLIENT_ID:
                    code = secrets.token_urlsafe(16)
                    provider._nonces[code] = query.get("nonce")
                    provider.sign_ins += 1
                    back = urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{back}")
                    self.end_headers()
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                if self.path != "/token" or form.get("code") not in provider._nonces:
                    self.send_error(400)
                    return
                nonce = provider._nonces.pop(form["code"])
                self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 3600,
                            "id_token": provider._id_token(nonce)})

        return Handler
