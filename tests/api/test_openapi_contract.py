"""The served openapi.json against every answer of the API: a bounded schemathesis run with all checks on.

The run is what `schemathesis run --checks all` does (examples, coverage, fuzzing and stateful phases), driven
in process through the WSGI app on a database of its own, anonymous and as a customer and an admin (Bearer
tokens). A fixed seed, derandomised generation and a few examples per operation keep it repeatable and short.
"""
from __future__ import annotations

import time
import traceback
from collections import Counter
from dataclasses import replace

import pytest
import schemathesis
from schemathesis.engine import events, from_schema
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.transport.wsgi import WSGITransport

from backend.app import create_app
from backend.migrate import apply_schema, create_database, drop_database
from tests.conftest import new_user, uid

SEED = 20261128
MAX_EXAMPLES = 3

# Rules a JSON Schema cannot state (secrets, other rows, relations between fields): a request the document calls
# valid may break them, and the contract's answer is then 422 naming the field. positive_data_acceptance lets
# such a 422 pass for these operations only, and only when every field it names is one of the rule's.
SERVER_SIDE_RULES: dict[str, tuple[set[str], str]] = {
    "POST /auth/register": ({"password"}, "password policy: not common, not the username or email, <= 72 bytes"),
    "POST /auth/register/verify": ({"code"}, "the emailed code"),
    "POST /auth/password/reset": ({"token", "password"}, "the emailed reset token; the password policy"),
    "POST /account/password": ({"current_password", "new_password"}, "the current password; the password policy"),
    "POST /orders": ({"payment.card_number", "payment.exp_month", "payment.exp_year", "address_id",
                      "shipping_address.country", "shipping_method_id"},
                     "the card passes the Luhn check and is not expired; the address is the user's own; with shipping "
                     "methods or tax rates its country is known, and a method serving it is chosen"),
    "GET /checkout/summary": ({"country", "shipping_method_id"}, "a known country code; a method serving it"),
    "GET /shipping/methods": ({"country"}, "a known country code"),
    "POST /shipping-methods": ({"countries", "max_days"}, "known country codes, or * alone; min_days <= max_days"),
    "PATCH /shipping-methods/{method_id}": ({"countries", "max_days"}, "as POST, for the changed method"),
    "POST /tax-rates": ({"country"}, "a known country code"),
    "PATCH /tax-rates/{rate_id}": ({"country"}, "a known country code"),
    "POST /offers": ({"starts_at", "ends_at", "percent_off", "amount_off", "product_id", "category_id"},
                     "ends_at after starts_at; one of percent_off/amount_off, one of product_id/category_id, "
                     "which must exist"),
    "PATCH /offers/{offer_id}": ({"starts_at", "ends_at", "percent_off", "amount_off", "product_id",
                                  "category_id"}, "the offer rules, on the changed offer"),
    "GET /products": ({"max_price", "category_id"}, "min_price not above max_price; the category must exist"),
    "POST /products": ({"category_id"}, "the category must exist"),
    "POST /products/{product_id}/images": ({"file"}, "the file must decode as a JPEG, PNG or WebP image of at "
                                                     "most 40 megapixels (a binary string says nothing of that)"),
    "POST /categories": ({"parent_id"}, "the parent must exist; the tree has a depth limit"),
    "PATCH /categories/{category_id}": ({"parent_id"}, "the parent must exist; the tree has a depth limit"),
    "PATCH /admin/users/{user_id}": ({"blocked_until"}, "blocked_until is in the future"),
    "POST /products/{product_id}/variants": ({"options"}, "the option names of the product's other variants; "
                                                          "names of 1 to 40 characters, none twice"),
    "PATCH /products/{product_id}/variants/{variant_id}": ({"options"}, "as POST, for the changed variant"),
    "PATCH /products/{product_id}": ({"category_id", "stock"}, "the category must exist; a product with "
                                                                 "variants has its stock per variant"),
    "POST /cart/items": ({"variant_id"}, "required for a product with variants (one of its own), refused for one "
                                         "without"),
    "POST /admin/users/bulk": ({"blocked_until"}, "block needs a blocked_until in the future"),
    "POST /coupons": ({"percent_off", "amount_off", "ends_at"}, "exactly one of percent_off/amount_off; ends_at "
                                                                 "after starts_at"),
    "PATCH /coupons/{coupon_id}": ({"percent_off", "amount_off", "ends_at"}, "the coupon rules, on the changed "
                                                                             "coupon"),
    "POST /cart/coupon": ({"code"}, "the code must name a coupon that applies to the cart (422 coupon_invalid)"),
}

RUN_CONFIG = {
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    "checks": {"enabled": True},
    "phases": {"stateful": {"max-steps": 5}},
    "workers": 1,
    # No state carried between runs (.schemathesis/): every run is the same run.
    "cache": {"enabled": False},
}


def _server_side_rule(failure, case, response) -> bool:
    """True when failure is a 422 for a positive case that only names fields of the operation's server-side rule."""
    rule = SERVER_SIDE_RULES.get(case.operation.label)
    if rule is None or not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return False
    named = set(response.json()["error"].get("fields", {}))
    return bool(named) and named <= rule[0]


def _exercised_by(spec: dict, role: str | None) -> list[str]:
    """Operations a role can use, from their security and x-roles: anonymous the public ones and the cart,
    customer the logged-in ones and the cart, admin the staff ones."""
    names = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            security = op.get("security")
            kind = "staff" if op.get("x-roles") else "public" if not security else \
                "optional" if {} in security else "user"
            if kind in {None: ("public", "optional"), "customer": ("user", "optional"), "admin": ("staff",)}[role]:
                names.append(f"{method.upper()} {path}")
    return names


@pytest.fixture(scope="module")
def contract_app(settings, tmp_path_factory):
    """An app on a database of its own: the run deletes, blocks and purges users and products at random,
    and must hit neither the rows other tests rely on nor theirs its own. A small catalog gives it real ids."""
    own = replace(settings, db_name=f"shopwright_contract_{uid()}",
                  backup_dir=str(tmp_path_factory.mktemp("contract-backups")),
                  media_dir=str(tmp_path_factory.mktemp("contract-media")))  # a restore prunes media to its rows
    create_database(own)
    try:
        apply_schema(own)
        app = create_app(settings=own)
        app.extensions["shopwright"].seed.seed_catalog(12)
        yield app
        app.extensions["shopwright"].db.pool.close()
    finally:
        drop_database(own, own.db_name)


@pytest.fixture
def in_process_probes(monkeypatch):
    """schemathesis 4.32 hands the probes of its ignored_auth check the socket settings of a network run
    (max_redirects, verify, cert, proxies), which the in-process WSGI client refuses with a TypeError; drop
    them, as the transport already does for its own calls."""
    send = WSGITransport.send

    def send_in_process(self, case, *, session=None, **kwargs):
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send_in_process)


@schemathesis.hook
def before_call(context, case, **kwargs) -> None:
    """The in-process WSGI client does not undo Content-Encoding as an HTTP client does, so every case asks
    for the plain body (compression has its own tests in tests/api/test_http_headers.py)."""
    case.headers = {**(case.headers or {}), "Accept-Encoding": "identity"}


class LiveToken:
    """A Bearer token of a live user of one role, for every case of the run.

    The run itself logs out, revokes sessions, changes passwords and (as admin) deletes, deactivates, blocks or
    demotes users whose ids it generates, which may be the run's own. Rather than leave those operations out, each
    case checks the token still belongs to an active, unblocked user of the role, and makes a new user when not.
    """

    def __init__(self, services, role: str) -> None:
        self.services, self.role = services, role
        self.token = ""
        self.renewed = 0

    def get(self, case, context) -> str:
        session = self.services.sessions.resolve(self.token) if self.token else None
        if (session is None or session["role"] != self.role or not session["is_active"]
                or session["blocked_until"] is not None):
            self.token = new_user(self.services, self.role, email=f"contract-{self.role}-{uid()}@example.test")["token"]
            self.renewed += 1
        return self.token

    def set(self, case, token: str, context) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


def run_contract(app, role: str | None) -> dict:
    """Run schemathesis against app as role (None: anonymous); the figures and every failure found."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    # The coverage phase (boundary and type-confusion cases for every field) is most of the run: each role runs
    # it on the operations it can use; every role runs the other phases on every operation.
    coverage_off = {"exclude-name": _exercised_by(spec, role), "phases": {"coverage": {"enabled": False}}}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=schemathesis.Config.from_dict(
        {**RUN_CONFIG, "operations": [coverage_off]}))
    tolerated = Counter()

    @schema.hook
    def filter_failure(context, failure, case, response) -> bool:
        if _server_side_rule(failure, case, response):
            tolerated[case.operation.label] += 1
            return False
        return True

    made: list[LiveToken] = []
    if role is not None:
        class RoleToken(LiveToken):  # schemathesis makes the provider itself, without arguments
            def __init__(self) -> None:
                super().__init__(app.extensions["shopwright"], role)
                made.append(self)

        # refresh_interval=None: asked on every case, so a token the last case revoked is never reused.
        schema.auth(refresh_interval=None)(RoleToken)
    started = time.monotonic()
    cases, failures, errors, first = Counter(), Counter(), [], {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases[event.phase.value] += len(event.recorder.cases)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        key = (check.name, event.recorder.label, check.failure_info.failure.title)
                        failures[key] += 1
                        first.setdefault(key, f"{check.failure_info.failure.message}\n"
                                              f"{check.failure_info.code_sample}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            exc = getattr(event, "value", None) or getattr(event, "exception", None)
            errors.append(f"{getattr(event, 'label', '')}: {''.join(traceback.format_exception(exc))[-2000:]}")
    return {"cases": cases, "failures": failures, "errors": errors, "seconds": time.monotonic() - started,
            "renewed": sum(t.renewed for t in made), "first": first, "tolerated": tolerated}


@pytest.mark.parametrize("role", [None, "customer", "admin"])
def test_every_answer_matches_the_document(contract_app, in_process_probes, role):
    result = run_contract(contract_app, role)
    report = "\n".join(f"{n:4} {check}: {label}: {title}\n{result['first'][check, label, title][:1500]}\n"
                       for (check, label, title), n in sorted(result["failures"].items()))
    print(f"\n[{role or 'anonymous'}] {sum(result['cases'].values())} cases {dict(result['cases'])}, "
          f"{sum(result['failures'].values())} failures, {result['seconds']:.1f}s, "
          f"token renewed {result['renewed']}x, server-side rules {dict(result['tolerated'])}\n{report}\n"
          + "\n".join(result["errors"][:3]))
    assert not result["errors"]
    # Every phase ran: a run that generated nothing would pass for the wrong reason.
    assert all(result["cases"][phase] > 0 for phase in ("coverage", "fuzzing", "stateful")), result["cases"]
    assert not result["failures"], report
