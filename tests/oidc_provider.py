"""A small OpenID Connect provider for the tests, shaped like Login.gov's (https://developers.login.gov/oidc/):
the authorization code flow with private_key_jwt or PKCE client authentication, RS256 id_tokens, and
`email` / `email_verified` from the user info endpoint. It runs on 127.0.0.1 on a free port in a thread
(http.server), so the app talks to it over real HTTP, as it would to Login.gov.

    with OidcProvider(client_id="urn:gov:gsa:openidconnect.profiles:sp:sso:smeqa") as op:
        op.register(redirect_uri="http://testserver/oidc/callback/", public_key=rp_key.public_key())
        op.person = {"email": "pat@example.com", "email_verified": True}
        settings.update(op.settings())

What it checks, and refuses with the status Login.gov would: the client and redirect URI at /authorize;
at /token a known, unused, unexpired code for the same client and redirect URI, then the client's proof:
a client assertion signed with the registered key (iss = sub = client id, aud = the token endpoint, an
unused jti) or the PKCE verifier matching the challenge (RFC 7636 S256). The id_token carries the nonce
from /authorize; `tamper_nonce` sends a different one, for the test that the app refuses it.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class OidcProvider:
    def __init__(self, *, client_id: str) -> None:
        self.client_id = client_id
        self.signing_key = new_rsa_key()
        self.kid = uuid.uuid4().hex
        self.redirect_uris: set[str] = set()
        self.client_public_key = None  # set: private_key_jwt; None: PKCE
        self.person = {"email": "person@example.com", "email_verified": True}
        self.tamper_nonce = False
        self.id_token_overrides: dict = {}  # claims to replace in the next id_tokens (iss, aud, ...)
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.used_jtis: set[str] = set()
        self.authorize_requests: list[dict] = []  # what /authorize received, for assertions
        self.token_requests: list[dict] = []
        self.logouts: list[dict] = []
        self._server: ThreadingHTTPServer | None = None

    # --- set-up --------------------------------------------------------------------------------------

    def __enter__(self) -> "OidcProvider":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def register(self, *, redirect_uri: str, public_key=None) -> None:
        """Registers the app's redirect URI, and its public key for private_key_jwt (None: PKCE)."""
        self.redirect_uris.add(redirect_uri)
        self.client_public_key = public_key

    def settings(self) -> dict:
        """The Django settings that point the app at this provider (as the environment would)."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/openid_connect/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/api/openid_connect/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/api/openid_connect/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/api/openid_connect/certs",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{self.issuer}/openid_connect/logout",
        }

    # --- the endpoints -------------------------------------------------------------------------------

    def authorize(self, query: dict) -> tuple[int, dict, bytes]:
        self.authorize_requests.append(query)
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or redirect_uri not in self.redirect_uris:
            return 400, {}, b"unknown client or redirect_uri"
        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return 400, {}, b"response_type=code and scope openid required"
        if not query.get("acr_values") or query.get("prompt") != "select_account" or not query.get("nonce"):
            return 400, {}, b"acr_values, prompt=select_account and nonce are required"
        if self.client_public_key is None and query.get("code_challenge_method") != "S256":
            return 400, {}, b"PKCE (S256) required for this client"
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": redirect_uri,
            "nonce": query["nonce"],
            "challenge": query.get("code_challenge"),
            "acr": query["acr_values"].split()[0],
            "person": dict(self.person),
            "expires": time.time() + 60,
        }
        back = f"{redirect_uri}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": back}, b""

    def token(self, form: dict) -> tuple[int, dict, bytes]:
        self.token_requests.append(form)
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None or grant["expires"] < time.time():
            return _json(400, {"error": "invalid_grant"})
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _json(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
        problem = self._client_problem(form, grant)
        if problem:
            return _json(401, {"error": "invalid_client", "error_description": problem})
        now = int(time.time())
        sub = uuid.uuid5(uuid.NAMESPACE_URL, grant["person"]["email"]).hex
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = {"sub": sub, **grant["person"]}
        id_claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "acr": grant["acr"],
            "nonce": "not-the-nonce-you-sent" if self.tamper_nonce else grant["nonce"],
            "jti": uuid.uuid4().hex,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
        } | self.id_token_overrides
        id_token = jwt.encode(id_claims, self.signing_key, algorithm="RS256", headers={"kid": self.kid})
        return _json(
            200,
            {"access_token": access_token, "token_type": "Bearer", "expires_in": 900, "id_token": id_token},
        )

    def _client_problem(self, form: dict, grant: dict) -> str | None:
        if self.client_public_key is not None:
            if form.get("client_assertion_type") != JWT_BEARER or not form.get("client_assertion"):
                return "private_key_jwt client assertion required"
            try:
                claims = jwt.decode(
                    form["client_assertion"],
                    self.client_public_key,
                    algorithms=["RS256"],
                    audience=f"{self.issuer}/api/openid_connect/token",
                    options={"require": ["iss", "sub", "aud", "jti", "exp"]},
                )
            except jwt.InvalidTokenError as error:
                return f"client assertion: {error}"
            if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
                return "client assertion iss and sub must be the client id"
            if claims["jti"] in self.used_jtis:
                return "client assertion replayed"
            self.used_jtis.add(claims["jti"])
            return None
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        if not verifier or base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return "code_verifier does not match code_challenge"
        return None

    def userinfo(self, authorization: str) -> tuple[int, dict, bytes]:
        token = authorization.removeprefix("Bearer ").strip()
        claims = self.access_tokens.get(token)
        if claims is None:
            return _json(401, {"error": "invalid_token"})
        return _json(200, claims)

    def certs(self) -> tuple[int, dict, bytes]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return _json(200, {"keys": [jwk]})

    def logout(self, query: dict) -> tuple[int, dict, bytes]:
        self.logouts.append(query)
        return 302, {"Location": query.get("post_logout_redirect_uri", "/")}, b""


def _json(status: int, body: dict) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _handler_for(op: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/openid_connect/authorize":
                self._send(*op.authorize(query))
            elif url.path == "/api/openid_connect/userinfo":
                self._send(*op.userinfo(self.headers.get("Authorization", "")))
            elif url.path == "/api/openid_connect/certs":
                self._send(*op.certs())
            elif url.path == "/openid_connect/logout":
                self._send(*op.logout(query))
            else:
                self._send(404, {}, b"not found")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/api/openid_connect/token":
                self._send(*op.token(form))
            else:
                self._send(404, {}, b"not found")

        def _send(self, status: int, headers: dict, body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args) -> None:  # quiet
            pass

    return Handler
