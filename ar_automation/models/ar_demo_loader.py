import logging
import random
from collections import namedtuple
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from markupsafe import Markup
from stdnum.iso7064 import mod_97_10
from stdnum.pl import nip

from odoo import Command, api, models

from ..engine.text import fold_accents

_logger = logging.getLogger(__name__)

MODULE = "ar_automation"
SEED = 42
MAX_AGE = 175  # days: the oldest invoice of the demo
COMPANY_DOMAIN = "hurtownia-nowak.example.com"
COMPANY = {
    "name": "Hurtownia Techniczna Nowak Sp. z o.o.",
    "street": "ul. Przemysłowa 12",
    "zip": "61-008",
    "city": "Poznań",
    "vat": "PL7781453265",
    "company_registry": "0000512347",
    "email": f"biuro@{COMPANY_DOMAIN}",
    "phone": "+48 61 852 40 10",
    "website": f"https://www.{COMPANY_DOMAIN}",
}
COMPANY_IBAN = "PL34114020040000310276543210"
COMPANY_BANK = ("mBank S.A.", "BREXPLPWXXX")
# Banks of the customers that pay from a known account: name, BIC, sort code.
CUSTOMER_BANKS = [
    ("PKO Bank Polski S.A.", "BPKOPLPWXXX", "10201026"),
    ("ING Bank Śląski S.A.", "INGBPLPWXXX", "10501445"),
    ("Bank Pekao S.A.", "PKOPPLPWXXX", "12401037"),
    ("Santander Bank Polska S.A.", "WBKPPLPPXXX", "10901014"),
]
SALESPEOPLE = [  # xml id, name, e-mail user part
    ("demo_user_anna_kowalska", "Anna Kowalska", "anna.kowalska"),
    ("demo_user_piotr_wisniewski", "Piotr Wiśniewski", "piotr.wisniewski"),
    ("demo_user_katarzyna_zielinska", "Katarzyna Zielińska", "katarzyna.zielinska"),
]
SEGMENTS = {  # segment: tag xml id, tag name, tag colour, payment terms (days) to draw from, salespeople
    "strategic": ("demo_tag_strategic", "Strategic", 10, (45,), (0,)),
    "standard": ("demo_tag_standard", "Standard", 4, (14, 30, 30), (1, 2)),
    "high_risk": ("demo_tag_high_risk", "High risk", 1, (14,), (1, 2)),
}
PAYMENT_TERMS = {
    14: "ar_automation.demo_payment_term_14days",
    30: "account.account_payment_term_30days",
    45: "account.account_payment_term_45days",
}
# name, street, zip, city, e-mail domain, segment, contact person (name, job) or None
CUSTOMERS = [
    (
        "Zakłady Mechaniczne Wielkopolska S.A.",
        "ul. Głogowska 150",
        "60-688",
        "Poznań",
        "zm-wielkopolska",
        "strategic",
        ("Tomasz Nowicki", "Główny księgowy"),
    ),
    (
        "Stocznia Remontowa Bałtyk Sp. z o.o.",
        "ul. Na Ostrowiu 7",
        "80-863",
        "Gdańsk",
        "sr-baltyk",
        "strategic",
        ("Magdalena Szymańska", "Kierownik zakupów"),
    ),
    (
        "Śląskie Zakłady Metalowe Stalprofil S.A.",
        "ul. Hutnicza 3",
        "40-203",
        "Katowice",
        "szm-stalprofil",
        "strategic",
        ("Krzysztof Woźniak", "Dyrektor finansowy"),
    ),
    (
        "Mazowieckie Centrum Logistyczne Sp. z o.o.",
        "ul. Krakowiaków 50",
        "02-255",
        "Warszawa",
        "mcl-logistyka",
        "strategic",
        ("Joanna Kozłowska", "Specjalista ds. rozliczeń"),
    ),
    (
        "Kujawska Energetyka Przemysłowa S.A.",
        "ul. Fordońska 120",
        "85-027",
        "Bydgoszcz",
        "kep-energia",
        "strategic",
        ("Marek Jankowski", "Kierownik utrzymania ruchu"),
    ),
    (
        "Fabryka Okien Podkarpacie Sp. z o.o.",
        "ul. Przemysłowa 14",
        "35-105",
        "Rzeszów",
        "okna-podkarpacie",
        "strategic",
        ("Ewa Mazur", "Główna księgowa"),
    ),
    (
        "Auto-Serwis Kowalczyk s.c.",
        "ul. Pabianicka 180",
        "93-490",
        "Łódź",
        "autoserwis-kowalczyk",
        "standard",
        None,
    ),
    (
        "Drukarnia Offsetowa Mazur Sp. z o.o.",
        "ul. Półłanki 18",
        "30-741",
        "Kraków",
        "drukarnia-mazur",
        "standard",
        ("Beata Mazur", "Księgowa"),
    ),
    (
        "Piekarnia Przemysłowa Złoty Kłos Sp. z o.o.",
        "ul. Zemborzycka 53",
        "20-445",
        "Lublin",
        "zloty-klos",
        "standard",
        None,
    ),
    (
        "Meble Wójcik Sp. j.",
        "ul. Rabowicka 6",
        "62-020",
        "Swarzędz",
        "meble-wojcik",
        "standard",
        ("Paweł Wójcik", "Współwłaściciel"),
    ),
    (
        "Elektro-Instal Dąbrowski Sp. z o.o.",
        "ul. Ku Słońcu 67",
        "71-063",
        "Szczecin",
        "elektro-dabrowski",
        "standard",
        None,
    ),
    (
        "Tartak Leśny Dwór Sp. z o.o.",
        "ul. Lubelska 30",
        "10-417",
        "Olsztyn",
        "tartak-lesnydwor",
        "standard",
        ("Grzegorz Kaczmarek", "Kierownik produkcji"),
    ),
    (
        "Chłodnie Pomorskie Sp. z o.o.",
        "ul. Hryniewickiego 10",
        "81-340",
        "Gdynia",
        "chlodnie-pomorskie",
        "standard",
        None,
    ),
    (
        "Zakład Ślusarski Lewandowski",
        "ul. Grudziądzka 110",
        "87-100",
        "Toruń",
        "slusarz-lewandowski",
        "standard",
        ("Adam Lewandowski", "Właściciel"),
    ),
    (
        "Budmat Hurtownia Budowlana Sp. z o.o.",
        "ul. Zagnańska 71",
        "25-528",
        "Kielce",
        "budmat",
        "standard",
        None,
    ),
    (
        "Pralnia Przemysłowa Czysta Fala Sp. z o.o.",
        "ul. Elewatorska 13",
        "15-620",
        "Białystok",
        "czystafala",
        "standard",
        ("Agnieszka Piotrowska", "Kierownik administracji"),
    ),
    (
        "Ogrodnictwo Zielony Zakątek Sp. z o.o.",
        "ul. Mszczonowska 43",
        "96-100",
        "Skierniewice",
        "zielony-zakatek",
        "standard",
        None,
    ),
    (
        "Transport Ciężki Nowicki Sp. z o.o.",
        "ul. Partyzancka 60",
        "45-801",
        "Opole",
        "tc-nowicki",
        "standard",
        ("Michał Nowicki", "Dyrektor operacyjny"),
    ),
    ("Spółdzielnia Mleczarska Łąka", "ul. Zjazd 21", "18-400", "Łomża", "sm-laka", "standard", None),
    (
        "PolKart Opakowania Sp. z o.o.",
        "ul. Rejtana 5",
        "42-202",
        "Częstochowa",
        "polkart",
        "standard",
        ("Monika Grabowska", "Specjalista ds. zakupów"),
    ),
    (
        "Instalatorstwo Sanitarne Kamiński",
        "ul. Wierzbicka 80",
        "26-600",
        "Radom",
        "sanitarne-kaminski",
        "standard",
        None,
    ),
    (
        "Laboratorium Techniczne Pomiar Sp. z o.o.",
        "ul. Bojkowska 37",
        "44-100",
        "Gliwice",
        "lab-pomiar",
        "standard",
        ("Dorota Pawłowska", "Kierownik laboratorium"),
    ),
    (
        "Stolarnia Artystyczna Dąb",
        "ul. Kasprowicza 20",
        "34-500",
        "Zakopane",
        "stolarnia-dab",
        "standard",
        None,
    ),
    (
        "Hotel Pod Wawelem Sp. z o.o.",
        "ul. Świętej Gertrudy 26",
        "31-046",
        "Kraków",
        "hotel-podwawelem",
        "standard",
        ("Rafał Michalski", "Kierownik techniczny"),
    ),
    (
        "Przetwórnia Ryb Kaszuby Sp. z o.o.",
        "ul. Portowa 15",
        "84-120",
        "Władysławowo",
        "ryby-kaszuby",
        "standard",
        None,
    ),
    (
        "EkoRecykling Sp. z o.o.",
        "ul. Sulechowska 40",
        "65-022",
        "Zielona Góra",
        "ekorecykling",
        "standard",
        ("Karolina Król", "Księgowa"),
    ),
    (
        "Cukiernia Słodki Świat Sp. z o.o.",
        "ul. Cieszyńska 92",
        "43-300",
        "Bielsko-Biała",
        "slodki-swiat",
        "standard",
        None,
    ),
    (
        "Metalurgia Precyzyjna Grabowski Sp. z o.o.",
        "ul. Wrocławska 133",
        "62-800",
        "Kalisz",
        "mp-grabowski",
        "standard",
        ("Łukasz Grabowski", "Prezes zarządu"),
    ),
    (
        "Wodociągi Gminne Sp. z o.o.",
        "ul. Kostrzyńska 54",
        "66-400",
        "Gorzów Wielkopolski",
        "wodociagi-gminne",
        "standard",
        None,
    ),
    (
        "Forklift-Pro Serwis Wózków Sp. z o.o.",
        "ul. Przemysłowa 34",
        "09-411",
        "Płock",
        "forklift-pro",
        "standard",
        ("Sebastian Wieczorek", "Kierownik serwisu"),
    ),
    (
        "Agro-Chem Dystrybucja Sp. z o.o.",
        "ul. Hrubieszowska 107",
        "22-400",
        "Zamość",
        "agrochem",
        "standard",
        None,
    ),
    (
        "Neon-Art Pracownia Reklamy Sp. z o.o.",
        "ul. Legnicka 55",
        "54-203",
        "Wrocław",
        "neon-art",
        "standard",
        ("Natalia Jabłońska", "Office manager"),
    ),
    (
        "Budowlanka Express Sp. z o.o.",
        "ul. Annopol 4",
        "03-236",
        "Warszawa",
        "budowlanka-express",
        "high_risk",
        ("Dariusz Wróbel", "Prezes zarządu"),
    ),
    (
        "Remonty i Wykończenia Szybki Młot s.c.",
        "ul. Aleksandrowska 55",
        "91-205",
        "Łódź",
        "szybki-mlot",
        "high_risk",
        None,
    ),
    (
        "Spedycja Orzeł Sp. z o.o.",
        "ul. Jaworzyńska 100",
        "59-220",
        "Legnica",
        "spedycja-orzel",
        "high_risk",
        ("Sylwia Adamczyk", "Księgowa"),
    ),
    (
        "Hurtownia Elektryczna Iskra Sp. z o.o.",
        "ul. BoWiD 10",
        "75-209",
        "Koszalin",
        "iskra-hurt",
        "high_risk",
        None,
    ),
    (
        "Stal-Handel Zając Sp. j.",
        "ul. Kilińskiego 16",
        "41-200",
        "Sosnowiec",
        "stalhandel-zajac",
        "high_risk",
        ("Robert Zając", "Wspólnik"),
    ),
    (
        "Gastro-Serwis Malinowski",
        "ul. Krakowska 200",
        "33-100",
        "Tarnów",
        "gastro-malinowski",
        "high_risk",
        None,
    ),
    (
        "Eko-Dom Deweloper Sp. z o.o.",
        "ul. Węgierska 170",
        "33-300",
        "Nowy Sącz",
        "ekodom-deweloper",
        "high_risk",
        ("Jacek Dudek", "Dyrektor finansowy"),
    ),
    (
        "Firma Handlowo-Usługowa Pawlak",
        "ul. Grunwaldzka 101",
        "82-300",
        "Elbląg",
        "fhu-pawlak",
        "high_risk",
        None,
    ),
]
IBAN_CUSTOMERS = (2, 5, 8, 12, 17, 23, 33, 36)  # customer numbers that pay from a known bank account
# name, internal reference, type, unit price (PLN, excl. VAT), ordered quantities
PRODUCTS = [
    ("Łożysko kulkowe 6205-2RS", "LOZ-6205", "consu", 18.90, (20, 200)),
    ("Pas klinowy SPZ 1250", "PAS-SPZ1250", "consu", 42.50, (10, 60)),
    ("Olej hydrauliczny HL 46, kanister 20 l", "OLEJ-HL46", "consu", 289.00, (2, 20)),
    ("Rękawice robocze nitrylowe, 12 par", "REK-NIT12", "consu", 54.00, (5, 50)),
    ("Wkręty samowiercące 4,8x19, 1000 szt.", "WKR-4819", "consu", 119.00, (2, 20)),
    ("Klucz dynamometryczny 40-200 Nm", "KLU-DYN200", "consu", 649.00, (1, 4)),
    ("Przegląd techniczny maszyn", "USL-PRZEGLAD", "service", 850.00, (1, 3)),
    ("Serwis sprężarki, roboczogodzina", "USL-SERWIS", "service", 180.00, (2, 16)),
]
STRATEGIC_DISCOUNT = 5.0
# What became of each segment's orders: ("paid", a, b) paid a..b days after the due date; ("open" | "partial",
# a, b) a..b days overdue today (negative: due in that many days); ("order", 0, 0) confirmed, not invoiced.
PLANS = {
    "strategic": [("paid", -5, 3)] * 9
    + [("open", -40, -1)] * 3
    + [("open", 1, 12), ("partial", -20, -1), ("order", 0, 0)],
    "standard": [("paid", -3, 21)] * 12
    + [("open", -25, -1)] * 5
    + [("open", 1, 30)] * 4
    + [("open", 31, 60)] * 3
    + [("open", 61, 90)]
    + [("partial", 5, 45)] * 2
    + [("order", 0, 0)] * 3,
    "high_risk": [("paid", 15, 60)] * 3
    + [("open", -10, -1)]
    + [("open", 1, 30)] * 2
    + [("open", 31, 60)] * 2
    + [("open", 61, 90)] * 2
    + [("open", 91, 120)] * 3
    + [("partial", 20, 100)] * 2
    + [("order", 0, 0)],
}
PINNED = {8: [("open", 10, 25), ("open", -10, -1)]}  # the portal demo customer owes overdue and current items
PARTIAL_SHARES = (0.3, 0.4, 0.5, 0.6)
DISPUTES = [
    "Reklamacja: błędna ilość na fakturze, proszę o korektę.",
    "Reklamacja: część dostawy dotarła uszkodzona, protokół szkody wysłaliśmy kurierowi. "
    "Wstrzymujemy płatność do czasu wyjaśnienia.",
    "Dzień dobry, cena na fakturze nie zgadza się z ofertą (brak uzgodnionego rabatu). "
    "Proszę o fakturę korygującą.",
]
UNKNOWN_PAYER = (
    "Usługi Transportowe Jan Wróbel",
    "PL61109010140000071219812874",
    1476.00,
    "Przedpłata za zamówienie 14/11",
)
# The demo company's language (its customers' but one).
DEMO_LANG = "pl_PL"
DEMO_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
    "no_reset_password": True,
    "mail_auto_subscribe_no_notify": True,
}

Customer = namedtuple("Customer", "number partner contact segment term iban")


@dataclass
class Deal:
    """One sale order of the demo and what became of it."""

    customer: Customer
    kind: str
    days: int
    order_date: date = None
    invoice_date: date = None
    paid_on: date = None
    order: models.BaseModel = None
    invoice: models.BaseModel = None


class ArDemoLoader(models.AbstractModel):
    """Builds the suite's demo data: a Polish B2B seller and its receivables."""

    _name = "ar.demo.loader"
    _description = "AR Automation demo data"

    @api.model
    def _load_demo(self):
        """Create the demo company with its customers, sales, invoices and payments (once)."""
        if self.env.ref(f"{MODULE}.demo_company", raise_if_not_found=False):
            return True
        rng = random.Random(SEED)
        company = self.with_context(**DEMO_CONTEXT)._demo_company()
        loader = self.with_company(company).with_context(**DEMO_CONTEXT)
        loader._demo_chart(company)
        journal = loader._demo_bank_journal(company)
        salespeople = loader._demo_salespeople(company)
        customers = loader._demo_customers(salespeople, rng)
        loader._demo_languages(company, salespeople, customers)
        products = loader._demo_products(company)
        deals = loader._demo_sales(company, customers, products, rng)
        loader._demo_invoices(deals)
        loader._demo_credit_notes(company, deals)
        loader._demo_sent_invoice_pdfs(company)
        loader._demo_payments(company, journal, deals, rng)
        loader._demo_disputes(deals)
        loader._demo_unmatched_transactions(company, journal, deals)
        loader._demo_automation(company, customers, products)
        loader._demo_reporting(company)
        return True

    # Helpers

    def _demo_xmlids(self, records):
        """Name demo records ``ar_automation.<name>`` (noupdate) so that other addons' demo can use them."""
        self.env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"{MODULE}.{name}", "record": record, "noupdate": True}
                for name, record in records.items()
            ]
        )

    @api.model
    def _demo_nip(self, rng):
        """A random valid Polish NIP with its country prefix."""
        while True:
            digits = f"{rng.randint(101, 999)}{rng.randint(0, 999999):06d}"
            check = nip.checksum(digits + "0")
            if check < 10:
                return f"PL{digits}{check}"

    @api.model
    def _demo_iban(self, sort_code, rng):
        """A random valid Polish IBAN at the bank with this sort code (``stdnum.iban`` cannot be imported
        under Odoo: its bank registry is a package resource that Odoo's import hook hides)."""
        bban = f"{sort_code}{rng.randint(0, 10**16 - 1):016d}"
        return f"PL{mod_97_10.calc_check_digits(f'{bban}PL')}{bban}"

    def _demo_bank(self, name, bic):
        bank = self.env["res.bank"].search([("bic", "=", bic)], limit=1)
        country = self.env.ref("base.pl")
        return bank or self.env["res.bank"].create({"name": name, "bic": bic, "country": country.id})

    # Company, chart of accounts and bank

    def _demo_company(self):
        company = self.env["res.company"].create(
            {
                **COMPANY,
                "country_id": self.env.ref("base.pl").id,
                "currency_id": self.env.ref("base.PLN").id,
            }
        )
        company.partner_id.tz = "Europe/Warsaw"
        admin = self.env.ref("base.user_admin")
        (admin | self.env.ref("base.user_root")).write({"company_ids": [Command.link(company.id)]})
        admin.company_id = company
        self._demo_xmlids({"demo_company": company})
        return company

    def _demo_chart(self, company):
        """The Polish chart of accounts when l10n_pl is installed, else the generic one.

        ``try_loading()`` warns when called before the registry is fully loaded (as during a module's demo
        data) unless it also installs the chart's own demo entries, which would add foreign demo invoices to
        the company; ``_load()`` is what ``account`` itself calls for a new branch company. The generic chart
        sets its fiscal country's currency (USD): the company is set back to PLN.
        """
        l10n_pl = self.env["ir.module.module"].search([("name", "=", "l10n_pl"), ("state", "=", "installed")])
        code = "pl" if l10n_pl else "generic_coa"
        self.env["account.chart.template"]._load(code, company, install_demo=False)
        company.currency_id = self.env.ref("base.PLN")

    def _demo_bank_journal(self, company):
        bank_account = self.env["res.partner.bank"].create(
            {
                "acc_number": COMPANY_IBAN,
                "partner_id": company.partner_id.id,
                "bank_id": self._demo_bank(*COMPANY_BANK).id,
                "allow_out_payment": True,
            }
        )
        journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], order="sequence, id", limit=1
        )
        journal.write({"name": "mBank", "bank_account_id": bank_account.id})
        self._demo_xmlids({"demo_bank_journal": journal})
        return journal

    # Languages

    def _demo_languages(self, company, salespeople, customers):
        """Polish for the Polish company (its admin, salespeople and customers: Polish documents, dates
        and numbers), except the last customer, kept in English to show both. Activating Polish loads the
        Polish translations of the installed modules, and of ours as each one finishes installing."""
        self.env["res.lang"]._activate_and_install_lang(DEMO_LANG)
        installed = self.env["ir.module.module"].search([("state", "=", "installed")])
        installed._update_translations(DEMO_LANG)
        polish = customers[:-1]
        partners = (
            company.partner_id
            | self.env.ref("base.user_admin").partner_id
            | salespeople.partner_id
            | self.env["res.partner"].union(*(c.partner for c in polish))
            | self.env["res.partner"].union(*(c.contact for c in polish if c.contact))
        )
        partners.write({"lang": DEMO_LANG, "tz": "Europe/Warsaw"})
        english = customers[-1]
        (english.partner | (english.contact or english.partner)).write({"lang": "en_US"})

    # People

    def _demo_salespeople(self, company):
        groups = self.env.ref("base.group_user") | self.env.ref("sales_team.group_sale_salesman")
        users = self.env["res.users"].create(
            [
                {
                    "name": name,
                    "login": f"{login}@{COMPANY_DOMAIN}",
                    "email": f"{login}@{COMPANY_DOMAIN}",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "group_ids": [Command.set(groups.ids)],
                    "tz": "Europe/Warsaw",
                    "notification_type": "inbox",
                }
                for _xmlid, name, login in SALESPEOPLE
            ]
        )
        self.env["crm.team"].create(
            {
                "name": "Sprzedaż hurtowa",
                "company_id": company.id,
                "user_id": users[0].id,
                "crm_team_member_ids": [Command.create({"user_id": user.id}) for user in users],
            }
        )
        self._demo_xmlids({spec[0]: user for spec, user in zip(SALESPEOPLE, users, strict=True)})
        return users

    def _demo_customers(self, salespeople, rng):
        """The customers with their segment tag, terms, salesperson, contact person and bank account."""
        tags = self.env["res.partner.category"].create(
            [{"name": name, "color": color} for _xmlid, name, color, _terms, _sellers in SEGMENTS.values()]
        )
        self._demo_xmlids({spec[0]: tag for spec, tag in zip(SEGMENTS.values(), tags, strict=True)})
        tag_of = dict(zip(SEGMENTS, tags, strict=True))
        terms = self._demo_payment_terms()
        vals_list, term_days = [], []
        for name, street, zip_code, city, domain, segment, _contact in CUSTOMERS:
            days = rng.choice(SEGMENTS[segment][3])
            term_days.append(days)
            vals_list.append(
                {
                    "name": name,
                    "is_company": True,
                    "street": street,
                    "zip": zip_code,
                    "city": city,
                    "country_id": self.env.ref("base.pl").id,
                    "vat": self._demo_nip(rng),
                    "email": f"faktury@{domain}.example.com",
                    "phone": self._demo_phone(rng),
                    "category_id": [Command.set(tag_of[segment].ids)],
                    "user_id": salespeople[rng.choice(SEGMENTS[segment][4])].id,
                    "property_payment_term_id": terms[days].id,
                }
            )
        partners = self.env["res.partner"].create(vals_list)
        contacts = self._demo_contacts(partners, rng)
        ibans = self._demo_customer_banks(partners, rng)
        self._demo_xmlids({f"demo_customer_{number:02d}": p for number, p in enumerate(partners, start=1)})
        rows = zip(partners, CUSTOMERS, term_days, strict=True)
        return [
            Customer(number, partner, contacts.get(number), spec[5], days, ibans.get(number))
            for number, (partner, spec, days) in enumerate(rows, start=1)
        ]

    def _demo_payment_terms(self):
        """Payment terms by days: Odoo's 30 and 45 days and our 14 days, the usual term in Poland."""
        term_14 = self.env["account.payment.term"].create(
            {
                "name": "14 Days",
                "company_id": self.env.company.id,
                "line_ids": [Command.create({"value": "percent", "value_amount": 100.0, "nb_days": 14})],
            }
        )
        self._demo_xmlids({"demo_payment_term_14days": term_14})
        return {days: self.env.ref(xmlid) for days, xmlid in PAYMENT_TERMS.items()}

    @api.model
    def _demo_phone(self, rng):
        return f"+48 {rng.randint(500, 799)} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"

    def _demo_contacts(self, partners, rng):
        """One contact person for the customers that have one: ``{customer number: contact}``."""
        numbered = [
            (number, partner, spec[6], spec[4])
            for number, (partner, spec) in enumerate(zip(partners, CUSTOMERS, strict=True), start=1)
            if spec[6]
        ]
        contacts = self.env["res.partner"].create(
            [
                {
                    "name": person,
                    "function": job,
                    "parent_id": partner.id,
                    "type": "contact",
                    "email": f"{fold_accents(person).lower().replace(' ', '.')}@{domain}.example.com",
                    "phone": self._demo_phone(rng),
                }
                for _number, partner, (person, job), domain in numbered
            ]
        )
        by_number = {spec[0]: contact for spec, contact in zip(numbered, contacts, strict=True)}
        self._demo_xmlids({f"demo_customer_{number:02d}_contact": c for number, c in by_number.items()})
        return by_number

    def _demo_customer_banks(self, partners, rng):
        """Bank accounts of the customers that pay from a known account: ``{customer number: IBAN}``."""
        banks = [self._demo_bank(name, bic) for name, bic, _code in CUSTOMER_BANKS]
        ibans, vals_list = {}, []
        for index, number in enumerate(IBAN_CUSTOMERS):
            bank_index = index % len(CUSTOMER_BANKS)
            ibans[number] = self._demo_iban(CUSTOMER_BANKS[bank_index][2], rng)
            vals_list.append(
                {
                    "acc_number": ibans[number],
                    "partner_id": partners[number - 1].id,
                    "bank_id": banks[bank_index].id,
                }
            )
        self.env["res.partner.bank"].create(vals_list)
        return ibans

    # Sales and invoices

    def _demo_products(self, company):
        """The products sold, with the company's sale tax: ``[(product, (min qty, max qty))]``."""
        templates = self.env["product.template"].create(
            [
                {
                    "name": name,
                    "default_code": code,
                    "type": product_type,
                    "list_price": price,
                    "invoice_policy": "order",
                    "company_id": company.id,
                    "taxes_id": [Command.set(company.account_sale_tax_id.ids)],
                }
                for name, code, product_type, price, _qty in PRODUCTS
            ]
        )
        return [(tmpl.product_variant_id, spec[4]) for tmpl, spec in zip(templates, PRODUCTS, strict=True)]

    def _demo_sales(self, company, customers, products, rng):
        """Confirmed sale orders dated back as their plan requires: one deal per order."""
        today = company._ar_today()
        deals = []
        for segment, plan in PLANS.items():
            members = [customer for customer in customers if customer.segment == segment]
            outcomes = list(plan)
            rng.shuffle(outcomes)
            deals += [
                Deal(members[index % len(members)], kind, rng.randint(low, high))
                for index, (kind, low, high) in enumerate(outcomes)
            ]
        for number, outcomes in PINNED.items():
            customer = customers[number - 1]
            deals += [Deal(customer, kind, rng.randint(low, high)) for kind, low, high in outcomes]
        for deal in deals:
            self._demo_plan_dates(deal, today, rng)
        deals.sort(key=lambda deal: deal.order_date)
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": deal.customer.partner.id,
                    "company_id": company.id,
                    "user_id": deal.customer.partner.user_id.id,
                    "pricelist_id": False,
                    "client_order_ref": f"ZAM/{deal.order_date.year}/{rng.randint(100, 999)}",
                    "order_line": self._demo_order_lines(deal.customer.segment, products, rng),
                }
                for deal in deals
            ]
        )
        orders.action_confirm()
        for deal, order in zip(deals, orders, strict=True):
            deal.order = order
            order.date_order = datetime.combine(deal.order_date, time(rng.randint(7, 15), rng.randint(0, 59)))
        return deals

    @api.model
    def _demo_plan_dates(self, deal, today, rng):
        """Order, invoice and payment dates that give the deal its planned state today."""
        term = deal.customer.term
        if deal.kind == "order":
            deal.order_date = today - timedelta(days=rng.randint(0, 12))
            return
        if deal.kind == "paid":
            deal.invoice_date = today - timedelta(days=rng.randint(term + deal.days + 1, MAX_AGE))
            deal.paid_on = deal.invoice_date + timedelta(days=term + deal.days)
        else:
            deal.days = max(deal.days, 1 - term)
            deal.invoice_date = today - timedelta(days=term + deal.days)
            if deal.kind == "partial":
                span = (today - deal.invoice_date).days
                deal.paid_on = deal.invoice_date + timedelta(days=rng.randint(1, max(span - 1, 1)))
        deal.order_date = deal.invoice_date - timedelta(days=rng.randint(0, 6))

    @api.model
    def _demo_order_lines(self, segment, products, rng):
        factor, discount = (3, STRATEGIC_DISCOUNT) if segment == "strategic" else (1, 0.0)
        return [
            Command.create(
                {
                    "product_id": product.id,
                    "product_uom_qty": rng.randint(*quantities) * factor,
                    "discount": discount,
                }
            )
            for product, quantities in rng.sample(products, rng.randint(1, 3))
        ]

    def _demo_invoices(self, deals):
        """Invoice the orders whose plan has an invoice and post them in date order."""
        invoiced = [deal for deal in deals if deal.invoice_date]
        orders = self.env["sale.order"].concat(*(deal.order for deal in invoiced))
        orders._create_invoices(grouped=True)
        for deal in invoiced:
            deal.invoice = deal.order.invoice_ids
            deal.invoice.invoice_date = deal.invoice_date
        invoices = self.env["account.move"].concat(*(deal.invoice for deal in invoiced))
        invoices.sorted(lambda move: (move.invoice_date, move.id)).action_post()
        invoices.is_move_sent = True

    def _demo_credit_notes(self, company, deals):
        """A cancelled invoice, a price correction (Odoo sets it off against the open invoice it corrects)
        and a rebate left open as a credit."""
        today = company._ar_today()
        strategic_open = next(
            d for d in deals if d.customer.segment == "strategic" and d.kind == "open" and d.days < 0
        )
        cancelled = strategic_open.invoice
        cancel_date = min(cancelled.invoice_date + timedelta(days=3), today)
        cancelled._reverse_moves(
            [{"invoice_date": cancel_date, "ref": f"Korekta do zera: {cancelled.name}, błędne dane nabywcy"}],
            cancel=True,
        )
        strategic_open.kind = "cancelled"

        corrected = next(
            d for d in deals if d.customer.segment == "standard" and d.kind == "open" and d.days > 30
        )
        self._demo_refund(corrected.invoice, 0.05, "Rabat 5% uzgodniony w ofercie", today, corrects=True)
        corrected.kind = "corrected"

        rebated = next(d for d in deals if d.customer.segment == "strategic" and d.kind == "paid")
        self._demo_refund(rebated.invoice, 0.03, "Rabat posprzedażowy za obroty kwartalne", today)

    def _demo_refund(self, invoice, share, label, today, corrects=False):
        """A posted one-line credit note of ``share`` of the invoice's untaxed amount, dated 3 days ago."""
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "invoice_date": today - timedelta(days=3),
                "reversed_entry_id": corrects and invoice.id,
                "ref": f"{label} ({invoice.name})",
                "invoice_user_id": invoice.invoice_user_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": f"{label}, faktura {invoice.name}",
                            "quantity": 1,
                            "price_unit": invoice.currency_id.round(invoice.amount_untaxed * share),
                            "tax_ids": [Command.set(invoice.company_id.account_sale_tax_id.ids)],
                        }
                    )
                ],
            }
        )
        refund.action_post()
        refund.is_move_sent = True
        return refund

    # Payments, disputes and bank transactions

    def _demo_payments(self, company, journal, deals, rng):
        """Bank statement lines for the payments received, each reconciled with its invoice."""
        paid = sorted((d for d in deals if d.kind in ("paid", "partial")), key=lambda d: d.paid_on)
        currency = company.currency_id
        amounts = []
        for deal in paid:
            residual = deal.invoice.amount_residual
            if deal.kind == "partial":
                residual = currency.round(max(residual * rng.choice(PARTIAL_SHARES) // 100 * 100, 100.0))
            amounts.append(residual)
        lines = self.env["account.bank.statement.line"].create(
            [
                {
                    "journal_id": journal.id,
                    "date": deal.paid_on,
                    "payment_ref": f"Zapłata za fakturę {deal.invoice.payment_reference}",
                    "partner_id": deal.customer.partner.id,
                    "account_number": deal.customer.iban or False,
                    "amount": amount,
                }
                for deal, amount in zip(paid, amounts, strict=True)
            ]
        )
        for deal, line in zip(paid, lines, strict=True):
            _liquidity, suspense, _other = line._seek_for_lines()
            receivable = deal.invoice.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")
            suspense.account_id = receivable.account_id
            (suspense + receivable).reconcile()

    def _demo_disputes(self, deals):
        """Customers' e-mail replies about overdue invoices, read as the mail gateway reads them: three
        complaints (disputes for the salespeople), a promise to pay, and a complaint from an address that is
        not the customer's (waiting for review)."""
        disputed = {}
        for deal in deals:
            if deal.customer.segment == "standard" and deal.kind == "open" and deal.days > 0:
                disputed.setdefault(deal.customer.number, deal)
        replies = [(text, None) for text in DISPUTES] + [
            ("Dzień dobry, zapłacimy w piątek. Pozdrawiam", None),
            ("Reklamacja - towar uszkodzony!", "zaopatrzenie.firma@gmail.com"),
        ]
        for deal, (text, sender) in zip(disputed.values(), replies, strict=False):
            author = deal.customer.contact or deal.customer.partner
            deal.invoice.with_context(mail_post_autofollow=False).message_post(
                body=Markup("<p>%s</p>") % text,
                subject=self.env._("Re: Invoice %s", deal.invoice.name),
                message_type="email",
                subtype_xmlid="mail.mt_comment",
                author_id=False if sender else author.id,
                email_from=sender or author.email_formatted,
            )
            if deal.invoice.ar_dunning_paused:
                deal.kind = "disputed"

    def _demo_unmatched_transactions(self, company, journal, deals):
        """Recent incoming transfers not reconciled yet: one with a customer and invoice number, one only
        with a known IBAN, one from an unknown payer."""
        today = company._ar_today()
        open_deals = [d for d in deals if d.kind == "open" and d.days > 0]
        by_partner = next(
            (d for d in open_deals if d.customer.segment == "high_risk" and not d.customer.iban), None
        )
        by_iban = next((d for d in open_deals if d.customer.iban), None)
        vals_list = []
        if by_partner:
            vals_list.append(
                {
                    "date": today - timedelta(days=1),
                    "payment_ref": f"Zapłata za {by_partner.invoice.name}",
                    "partner_id": by_partner.customer.partner.id,
                    "amount": by_partner.invoice.amount_residual,
                }
            )
        if by_iban:
            vals_list.append(
                {
                    "date": today - timedelta(days=2),
                    "payment_ref": f"Przelew za FV nr {by_iban.invoice.name.rsplit('/', 1)[-1]}",
                    "partner_name": by_iban.customer.partner.name.upper(),
                    "account_number": by_iban.customer.iban,
                    "amount": by_iban.invoice.amount_residual,
                }
            )
        name, account, amount, reference = UNKNOWN_PAYER
        vals_list.append(
            {
                "date": today - timedelta(days=1),
                "payment_ref": reference,
                "partner_name": name,
                "account_number": account,
                "amount": company.currency_id.round(amount),
            }
        )
        self.env["account.bank.statement.line"].create([{"journal_id": journal.id, **v} for v in vals_list])

    def _demo_reporting(self, company):
        """A year of month-end KPI snapshots (the aging as of each day is computed from the history), today's
        snapshot, and the administrator on the daily digest."""
        today = company._ar_today()
        month_end = today.replace(day=1) - timedelta(days=1)
        days = []
        for _ in range(12):
            days.append(month_end)
            month_end = month_end.replace(day=1) - timedelta(days=1)
        snapshots = self.env["ar.kpi.snapshot"]
        first_invoice = self.env["account.move"].search(
            [("company_id", "=", company.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted")],
            order="invoice_date",
            limit=1,
        )
        for day in [*reversed(days), today]:
            # the trend starts with the first sale, not with empty months
            if first_invoice.invoice_date and day >= first_invoice.invoice_date:
                snapshots._take(day, company)
        company.ar_digest_user_ids = self.env.ref("base.user_admin")

    def _demo_automation(self, company, customers, products):
        """Switch the company to automatic invoicing and show each billing mode once: a milestone project,
        a monthly service contract billed for three months, and an order blocked by the invoice checks."""
        company.ar_invoice_policy = "on_confirm"
        today = company._ar_today()
        strategic = next(c.partner for c in customers if c.segment == "strategic")
        standard = [c.partner for c in customers if c.segment == "standard"]
        service = next(product for product, _qty in products if product.type == "service")
        goods = products[0][0]
        project, contract = self.env["sale.order"].create(
            [
                {
                    "partner_id": strategic.id,
                    "user_id": strategic.user_id.id,
                    "client_order_ref": "Modernizacja linii pakującej",
                    "ar_billing_mode": "milestone",
                    "order_line": [Command.create({"product_id": service.id, "product_uom_qty": 10})],
                    "ar_milestone_ids": [
                        Command.create({"name": "Zaliczka", "percentage": 30, "trigger": "on_confirm"}),
                        Command.create(
                            {
                                "name": "Dostawa",
                                "percentage": 40,
                                "trigger": "date",
                                "date": today + timedelta(days=20),
                            }
                        ),
                        Command.create(
                            {
                                "name": "Odbiór końcowy",
                                "percentage": 30,
                                "trigger": "date",
                                "date": today + timedelta(days=50),
                            }
                        ),
                    ],
                },
                {
                    "partner_id": standard[0].id,
                    "user_id": standard[0].user_id.id,
                    "client_order_ref": "Umowa serwisowa",
                    "ar_billing_mode": "recurring",
                    "ar_recurring_interval": "monthly",
                    "ar_recurring_start": (today - timedelta(days=62)).replace(day=1),
                    "ar_recurring_count": 12,
                    "order_line": [Command.create({"product_id": service.id, "product_uom_qty": 1})],
                },
            ]
        )
        newcomer = (
            self.env["res.partner"]
            .with_context(no_vat_validation=True)
            .create(
                {
                    "name": "Nowy Odbiorca Sp. z o.o.",
                    "is_company": True,
                    "vat": "PL1234567890",
                    "city": "Gniezno",
                    "country_id": self.env.ref("base.pl").id,
                    "email": f"faktury@nowy-odbiorca.{COMPANY_DOMAIN.split('.', 1)[1]}",
                    "user_id": standard[1].user_id.id,
                }
            )
        )
        blocked = self.env["sale.order"].create(
            {
                "partner_id": newcomer.id,
                "user_id": newcomer.user_id.id,
                "order_line": [Command.create({"product_id": goods.id, "product_uom_qty": 40})],
            }
        )
        (project | contract | blocked).action_confirm()
        # No e-mail leaves a demo database: the generated invoices stay sent "by hand".
        (project | contract).invoice_ids.sending_data = False

    # The PDFs of the invoices marked as sent

    def _demo_sent_invoice_pdfs(self, company):
        """Each invoice and credit note the demo marks as sent gets the PDF Odoo's send wizard would have
        generated and linked (``invoice_pdf_report_id``), so that the portal and the reminders show the
        invoice itself, not a proforma. Without a working PDF engine there is nothing to print: the moves
        stay without a PDF, and the log says why."""
        moves = (
            self.env["account.move"]
            .search(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("is_move_sent", "=", True),
                ]
            )
            .filtered(lambda move: not move.invoice_pdf_report_id)
        )
        problem = company._ar_pdf_problem()
        if problem:
            _logger.info("Demo invoices left without a PDF: %s", problem)
            return
        send = self.env["account.move.send"]
        invoices_data = {move: {"pdf_report": send._get_default_pdf_report_id(move)} for move in moves}
        if invoices_data:
            send._prepare_invoice_pdf_report(invoices_data)
            send._link_invoice_documents(invoices_data)
