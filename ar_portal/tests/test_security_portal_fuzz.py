"""Random and hostile values (unicode digits, NUL, huge numbers, NaN, SQL-ish and HTML strings, very long
strings) thrown at every parameter of every portal route of ar_portal, as the customer's portal user:
never a server error, and a refused request changes nothing (disputes, promises, plans, transactions,
chatter messages and the customer's details are counted before and after).

Deterministic (``derandomize=True``, no example database) and bounded: 120 requests, under a minute."""

import json
from datetime import timedelta
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.http import Request
from odoo.tests import HttpCase, tagged

from .common import ArPortalCommon

HOSTILE_TEXTS = [
    "",
    " ",
    "²",
    "٣",
    "１２",
    "1e30",
    "-1e30",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "-1",
    "0",
    "0.001",
    "1.234,50",
    "99999999999999999999",
    "9" * 400,
    "\x00",
    "1\x00",
    "a\x00b",
    "\u202e",
    "' OR 1=1 --",
    "1; DROP TABLE account_move; --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "%s%n%x",
    "../../../etc/passwd",
    "https://evil.example.com/",
    "x@y.example.com\r\nBcc: victim@example.com",
    "a@b.example.com, c@d.example.com",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "x" * 10000,
    "null",
    "[]",
    "{}",
    "true",
]
HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
JSON_HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    HOSTILE,
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.sampled_from(["a", "id", "__proto__"]), st.integers(), max_size=2),
)
# Markers of a refusal in the URL a request ends on.
REFUSED = ("ar_error=", "_invalid", "promise_limit", "ar_message=invalid")


@tagged("post_install", "-at_install")
class TestSecurityPortalFuzz(ArPortalCommon, HttpCase):
    portal_login = "klient.fuzz"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = cls.company._ar_today()
        past = today - timedelta(days=40)
        cls.mine = cls._posted_invoice(500, past, cls.customer, invoice_date_due=past + timedelta(days=14))
        cls.not_mine = cls._posted_invoice(
            999, past, cls.partner_b, invoice_date_due=past + timedelta(days=14)
        )
        cls.mine._portal_ensure_token()
        cls.card = cls._demo_token(cls.contact)

    def setUp(self):
        super().setUp()
        self.authenticate(self.portal_login, self.portal_login)

    def _state(self):
        self.env.invalidate_all()
        messages = self.env["mail.message"].sudo()
        return {
            "disputes": self.env["ar.dispute"].search_count([]),
            "promises": self.env["ar.payment.promise"].search_count([]),
            "plans": self.env["ar.payment.plan"].search_count([]),
            "transactions": self.env["payment.transaction"].sudo().search_count([]),
            "messages": messages.search_count(
                [("model", "in", ("account.move", "res.partner", "ar.dispute", "ar.payment.plan"))]
            ),
            "customer": self.customer.read(
                ["ar_billing_email", "lang", "ar_customer_po", "ar_autopay_token_id"]
            )[0],
        }

    def _ids(self):
        return st.one_of(HOSTILE, st.sampled_from([str(self.mine.id), str(self.not_mine.id)]))

    def _request(self, data):
        """One request to one route with hostile values; ``(response, read_only)``."""
        route = data.draw(
            st.sampled_from(
                [
                    "statement",
                    "pay",
                    "pdf",
                    "plan",
                    "details",
                    "autopay",
                    "link",
                    "details_save",
                    "propose",
                    "accept",
                    "dispute",
                    "promise",
                    "autopay_enable",
                    "transaction",
                ]
            ),
            label="route",
        )
        value = data.draw(HOSTILE)
        if route == "statement":
            return self.url_open(
                "/my/statement", params={"ar_error": value, "filterby": data.draw(HOSTILE)}
            ), True
        if route == "pay":
            invoice = data.draw(self._ids())
            params = {"invoice_ids": [invoice, data.draw(self._ids())], f"amount_{invoice}": value}
            return self.url_open("/my/statement/pay", params=params), True
        if route == "pdf":
            return self.url_open(
                "/my/statement/pdf", params={"date_from": value, "date_to": data.draw(HOSTILE)}
            ), True
        if route == "plan":
            params = {"invoice_ids": data.draw(self._ids()), "count": value, "first_date": data.draw(HOSTILE)}
            return self.url_open("/my/payment_plan", params=params), True
        if route == "details":
            return self.url_open("/my/account_details", params={"ar_error": value, "ar_message": value}), True
        if route == "autopay":
            return self.url_open("/my/autopay", params={"ar_message": value}), True
        if route == "link":
            ids = data.draw(st.sampled_from([str(self.customer.id), "99999999999999999999", "0"]))
            expires = data.draw(st.sampled_from(["1", "99999999999", "99999999999999999999999"]))
            return self.url_open(
                f"/my/statement/link/{ids}/{expires}/{quote(value[:200], safe='') or 'x'}"
            ), True
        if route == "details_save":
            form = {"billing_email": value, "lang": data.draw(HOSTILE), "customer_po": data.draw(HOSTILE)}
            return self._post("/my/account_details", **form), False
        if route == "propose":
            form = {
                "invoice_ids": data.draw(self._ids()),
                "date_0": data.draw(HOSTILE),
                "amount_0": value,
                "note": data.draw(HOSTILE),
            }
            return self._post("/my/payment_plan/propose", **form), False
        if route == "accept":
            plan = data.draw(st.sampled_from(["1", "99999999999999999999", "0"]))
            return self._post(f"/my/payment_plan/{plan}/accept", confirm=value), False
        if route in ("dispute", "promise"):
            invoice = data.draw(st.sampled_from([self.mine, self.not_mine]))
            form = {
                "access_token": data.draw(st.one_of(HOSTILE, st.just(self.mine.access_token))),
                "reason": data.draw(st.one_of(HOSTILE, st.just("price"))),
                "description": value,
                "date_promised": value,
            }
            return self._post(f"/my/invoices/{invoice.id}/ar_{route}", **form), False
        if route == "autopay_enable":
            token = data.draw(st.one_of(HOSTILE, st.just(str(self.card.id))))
            return self._post("/my/autopay/enable", token_id=token, consent=value), False
        params = {
            key: data.draw(JSON_HOSTILE)
            for key in ("access_token", "provider_id", "payment_method_id", "token_id", "amount", "flow")
        }
        params["csrf_token"] = Request.csrf_token(self)
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        return self.url_open(
            "/my/statement/pay/transaction", data=body, headers={"Content-Type": "application/json"}
        ), False

    @settings(
        max_examples=120,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test_hostile_values_never_break_a_route_nor_change_anything_when_refused(self, data):
        before = self._state()
        response, read_only = self._request(data)
        self.assertLess(response.status_code, 500, response.url)
        after = self._state()
        if response.headers.get("Content-Type", "").startswith("application/json"):
            refused = "error" in response.json()
        else:
            refused = response.status_code >= 400 or any(marker in response.url for marker in REFUSED)
            refused = refused or response.url.rstrip("/").endswith("/my")
        if read_only or refused:
            self.assertEqual(after, before, f"{response.url} changed something")
        customer = after["customer"]
        for text in (customer["ar_billing_email"] or "", customer["ar_customer_po"] or ""):
            self.assertFalse(any(ord(char) < 32 for char in text), "no control character is stored")
