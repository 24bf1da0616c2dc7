"""Provider parity: the same payments served by the three mock banks (Berlin Group 1.3.12, Enable Banking,
PolishAPI) sync into the same statement lines (dates, amounts, titles, counterparties, references,
split-payment data) and are matched the same way (the same invoices reconciled, the same left open)."""

import contextlib
import re
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

import requests

from odoo.tests import tagged

from odoo.addons.ar_automation.tests.common import ArTestCommon

from .mock_bank import MockBank
from .mock_enable_banking import MockEnableBanking, new_key_pair
from .mock_polishapi import MockPolishApi, new_tpp_credentials

IBAN = "PL61109010140000071219812874"
PAYER = "PL27114020040000300201355387"
DONOR = "PL10105000997603123456789123"


@tagged("post_install", "-at_install")
class TestProviderParity(ArTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = date.today()
        cls.journal = cls.env["account.journal"].create(
            {
                "name": "Bank API",
                "type": "bank",
                "code": "PARAPI",
                "company_id": cls.company.id,
                "ar_auto_reconcile": True,
                "bank_account_id": cls.env["res.partner.bank"]
                .create({"acc_number": IBAN, "partner_id": cls.company.partner_id.id})
                .id,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Nowak Hurt S.A.", "is_company": True, "vat": "PL5260250274"}
        )
        day = cls.today - timedelta(days=10)
        cls.exact, cls.split, cls.first, cls.second, cls.untouched = (
            cls._posted_invoice(amount, day, cls.customer) for amount in (1230, 615, 300, 150, 480)
        )

    def _payments(self):
        """(amount, booking date, counterparty, its account, title): one set for every bank."""
        today = self.today
        return [
            (
                1230.0,
                today - timedelta(days=2),
                "Nowak Hurt S.A.",
                PAYER,
                f"Zapłata za fakturę {self.exact.name}",
            ),
            (
                615.0,
                today - timedelta(days=1),
                "Nowak Hurt S.A.",
                PAYER,
                f"/VAT/115,00/IDC/5260250274/INV/{self.split.name}/TXT/zapłata",
            ),
            (
                450.0,
                today - timedelta(days=1),
                "Nowak Hurt S.A.",
                PAYER,
                f"FV {self.first.name} oraz {self.second.name}",
            ),
            (77.7, today, "Jan Kowalski", DONOR, "Darowizna na schronisko"),
            (-45.0, today, "PKO BP S.A.", "", "Opłata za prowadzenie rachunku"),
        ]

    # -- one connection per provider ----------------------------------------------------------------------

    def _berlin_group(self):
        bank = MockBank(page_size=2, today=self.today)
        account = bank.add_account(IBAN)
        self.addCleanup(bank.stop)
        connection = self.env["ar.bank.connection"].create(
            {"name": "Berlin Group", "provider": "berlin_group", "api_base_url": bank.start()}
        )
        for payment in self._payments():
            bank.add_transaction(
                account, *payment[:2], name=payment[2], iban=payment[3], remittance=payment[4]
            )
        action = connection.action_connect()
        bank.approve(re.search(r"/sca/(\w+)", action["url"]).group(1))
        self.assertTrue(connection._ar_finish_consent())
        return connection

    def _enable_banking(self):
        pem, public = new_key_pair()
        bank = MockEnableBanking("app-1", public, page_size=2, today=self.today)
        account = bank.add_account(IBAN)
        self.addCleanup(bank.stop)
        connection = self.env["ar.bank.connection"].create(
            {
                "name": "Enable Banking",
                "provider": "enable_banking",
                "api_base_url": bank.start(),
                "institution_name": "mBank",
                "client_id": "app-1",
                "private_key": pem,
            }
        )
        for payment in self._payments():
            bank.add_transaction(
                account, *payment[:2], name=payment[2], iban=payment[3], remittance=payment[4]
            )
        state = connection.action_connect()["url"].rsplit("state=", 1)[1]
        self.assertTrue(connection._ar_finish_consent({"code": bank.authorize(state), "state": state}))
        return connection

    def _polishapi(self):
        key, certificate = new_tpp_credentials()
        bank = MockPolishApi("tpp-1", certificate, page_size=2, today=self.today)
        account = bank.add_account(IBAN)
        self.addCleanup(bank.stop)
        connection = self.env["ar.bank.connection"].create(
            {
                "name": "PolishAPI",
                "provider": "polishapi",
                "api_base_url": bank.start(),
                "client_id": "tpp-1",
                "private_key": key,
                "tpp_certificate": certificate,
                "journal_ids": [(6, 0, self.journal.ids)],
            }
        )
        for payment in self._payments():
            bank.add_transaction(
                account, *payment[:2], name=payment[2], iban=payment[3], remittance=payment[4]
            )
        url = connection.action_connect()["url"]
        back = requests.get(url, allow_redirects=False, timeout=10)
        self.assertTrue(
            connection._ar_finish_consent(dict(parse_qsl(urlsplit(back.headers["Location"]).query)))
        )
        return connection

    # -- what a sync leaves -------------------------------------------------------------------------------

    def _synced(self, connect):
        """Connect, sync: what each line holds and how it was matched, in date and amount order."""
        connection = connect()
        self.assertEqual(connection.account_ids.journal_id, self.journal, connection.last_error)
        lines = connection._ar_sync_now()
        self.assertEqual(connection.state, "active", connection.last_error)
        result = []
        for line in lines.sorted(lambda ln: (ln.date, ln.amount)):
            paid = line.move_id.line_ids.matched_debit_ids.debit_move_id.move_id
            result.append(
                {
                    "date": line.date,
                    "amount": line.amount,
                    "payment_ref": line.payment_ref,
                    "partner_name": line.partner_name,
                    "account_number": line.account_number,
                    "structured_ref": line.ar_structured_ref,
                    "end_to_end_id": line.ar_end_to_end_id,
                    "has_bank_id": bool(line.ar_import_id) and bool(line.ar_fingerprint),
                    "mpp": line.transaction_details.get("mpp"),
                    "partner": line.partner_id.name,
                    "match_state": line.ar_match_state,
                    "reconciled": line.is_reconciled,
                    "paid": sorted(paid.mapped("name")),
                }
            )
        open_invoices = sorted(
            (self.exact | self.split | self.first | self.second | self.untouched)
            .filtered(lambda inv: inv.payment_state != "paid")
            .mapped("name")
        )
        return result, open_invoices

    def test_the_three_banks_give_the_same_lines_and_the_same_matches(self):
        results = {}
        for name, connect in (
            ("berlin_group", self._berlin_group),
            ("enable_banking", self._enable_banking),
            ("polishapi", self._polishapi),
        ):
            with contextlib.closing(self.env.cr.savepoint()):  # each bank sees the invoices open
                results[name] = self._synced(connect)
            self.env.invalidate_all()
        lines, open_invoices = results["berlin_group"]
        self.assertEqual(len(lines), 5)
        for name in ("enable_banking", "polishapi"):
            with self.subTest(provider=name):
                self.assertEqual(results[name][0], lines)
                self.assertEqual(results[name][1], open_invoices)
        by_amount = {line["amount"]: line for line in lines}
        # What the set holds, whatever the bank: the reference, the split payment and the two-invoice
        # transfer reconciled, the donation and the fee not.
        self.assertEqual(by_amount[1230.0]["paid"], [self.exact.name])
        self.assertEqual(by_amount[615.0]["paid"], [self.split.name])
        self.assertEqual(by_amount[615.0]["mpp"]["invoice"], self.split.name)
        self.assertEqual(by_amount[615.0]["mpp"]["vat_amount"], "115.00")
        self.assertEqual(by_amount[450.0]["paid"], sorted([self.first.name, self.second.name]))
        self.assertTrue(all(by_amount[a]["reconciled"] for a in (1230.0, 615.0, 450.0)))
        self.assertFalse(by_amount[77.7]["reconciled"])
        self.assertEqual(by_amount[-45.0]["partner_name"], "PKO BP S.A.")
        self.assertEqual(by_amount[1230.0]["account_number"], PAYER)
        self.assertEqual(open_invoices, [self.untouched.name])
